package dev.rlflow.reward.omega;

import dev.rlflow.core.label.ProcessLabel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Process labels for one question by per-step Monte Carlo estimation, Math-Shepherd's method (Wang
 * et al. 2024, "Math-Shepherd: Verify and Reinforce LLMs Step-by-step without Human Annotations",
 * arXiv 2312.08935): the baseline OmegaPRM is compared with (ALGORITHMS.md §1).
 *
 * <p>The first request is OmegaPRM's pre-filter ({@code prefilterRollouts} rollouts from the
 * question, kept only if some are correct and some wrong), so that both methods label the same
 * questions and pay the same entry price. The first {@code solutions} pre-filter rollouts are the
 * sampled solutions. For each solution of M steps, step t = 1..M−1 is labelled with MC = correct /
 * k over k rollouts from the prefix ending with step t (one request each, k·(M−1) rollouts); step M
 * with the solution's own outcome, 1 or 0, over 0 rollouts. Labels are emitted as their values are
 * known; a step a solution shares with an earlier one (same prefix, same step) keeps the earlier
 * solution's label, though its probe is paid again, as in Math-Shepherd's per-solution estimate.
 */
public final class PerStepMonteCarlo implements LabelSearch {

  /** Solutions labelled per question unless the constructor says otherwise. */
  public static final int DEFAULT_SOLUTIONS = 4;

  private final int rolloutsPerEstimate;
  private final int solutionCount;
  private final SearchLedger ledger;
  private List<JudgedRollout> solutions;
  private int solution;
  private int probedSteps;

  /** A search over {@link #DEFAULT_SOLUTIONS} solutions. */
  public PerStepMonteCarlo(
      Question question,
      OmegaPrmSearch.Params params,
      SolutionVerifier verifier,
      long searchId,
      long policyVersion) {
    this(question, params, DEFAULT_SOLUTIONS, verifier, searchId, policyVersion);
  }

  /**
   * Starts a search; its first request is the pre-filter.
   *
   * @param params only {@code prefilterRollouts} and {@code rolloutsPerEstimate} (k) apply
   * @param solutions how many pre-filter rollouts to label, at least 1
   * @param searchId identifies this search in its labels
   * @param policyVersion the version of the policy behind the completer, recorded in the labels
   */
  public PerStepMonteCarlo(
      Question question,
      OmegaPrmSearch.Params params,
      int solutions,
      SolutionVerifier verifier,
      long searchId,
      long policyVersion) {
    Objects.requireNonNull(params, "params");
    if (solutions < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + solutions + " for solutions: must be >= 1");
    }
    this.rolloutsPerEstimate = params.rolloutsPerEstimate();
    this.solutionCount = solutions;
    this.ledger =
        new SearchLedger(question, params.prefilterRollouts(), verifier, searchId, policyVersion);
  }

  @Override
  public Optional<RolloutRequest> pending() {
    return ledger.pending();
  }

  @Override
  public void accept(List<Continuation> continuations) {
    RolloutBatch batch = ledger.answer(continuations);
    if (ledger.done()) {
      return; // the pre-filter dropped the question
    }
    if (solutions == null) {
      List<JudgedRollout> prefilter = batch.rollouts();
      solutions = prefilter.subList(0, Math.min(solutionCount, prefilter.size()));
    } else {
      List<String> steps = solutions.get(solution).steps();
      label(steps, probedSteps - 1, batch.mc(), batch.rollouts().size());
    }
    advance();
  }

  @Override
  public List<ProcessLabel> takeLabels() {
    return ledger.takeLabels();
  }

  @Override
  public SearchStats stats() {
    return ledger.stats(0);
  }

  /**
   * Requests the next step prefix, labelling each solution's last step once its probes are done.
   */
  private void advance() {
    while (solution < solutions.size()) {
      JudgedRollout current = solutions.get(solution);
      List<String> steps = current.steps();
      if (probedSteps + 1 < steps.size()) {
        probedSteps++;
        ledger.request(steps.subList(0, probedSteps), rolloutsPerEstimate);
        return;
      }
      if (!steps.isEmpty()) {
        label(steps, steps.size() - 1, current.correct() ? 1.0 : 0.0, 0);
      }
      solution++;
      probedSteps = 0;
    }
    ledger.finish();
  }

  /** Labels {@code steps[index]} after the steps before it. */
  private void label(List<String> steps, int index, double mcValue, int estimateRollouts) {
    ledger.label(steps.subList(0, index), steps.get(index), mcValue, estimateRollouts);
  }
}
