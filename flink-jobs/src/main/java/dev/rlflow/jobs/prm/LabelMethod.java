package dev.rlflow.jobs.prm;

import dev.rlflow.core.config.OmegaPrmConfig;
import dev.rlflow.reward.omega.LabelSearch;
import dev.rlflow.reward.omega.OmegaPrmSearch;
import dev.rlflow.reward.omega.PerStepMonteCarlo;
import dev.rlflow.reward.omega.Question;
import dev.rlflow.reward.omega.SolutionVerifier;

/** How process labels are collected. */
public enum LabelMethod {
  /** OmegaPRM's divide-and-conquer MCTS (ALGORITHMS.md §1). */
  OMEGAPRM("omegaprm"),
  /** The Math-Shepherd baseline: k rollouts from every step prefix of sampled solutions. */
  PER_STEP_MC("per_step_mc");

  private final String key;

  LabelMethod(String key) {
    this.key = key;
  }

  /** The method's name in files and JSON, e.g. {@code per_step_mc}. */
  public String key() {
    return key;
  }

  LabelSearch search(
      Question question,
      OmegaPrmConfig config,
      SolutionVerifier verifier,
      long searchId,
      long policyVersion) {
    return switch (this) {
      case OMEGAPRM ->
          new OmegaPrmSearch(
              question, OmegaPrmSearch.Params.of(config), verifier, searchId, policyVersion);
      case PER_STEP_MC ->
          new PerStepMonteCarlo(
              question,
              OmegaPrmSearch.Params.of(config),
              config.baselineSolutions(),
              verifier,
              searchId,
              policyVersion);
    };
  }
}
