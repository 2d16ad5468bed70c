package dev.rlflow.core.label;

import java.util.List;
import java.util.Objects;

/**
 * A process label: how likely a solution prefix ending with {@code step} still reaches the right
 * answer, estimated by Monte Carlo rollouts (OmegaPRM, Luo et al. 2024, arXiv 2406.06592; per-step
 * Monte Carlo, Math-Shepherd, Wang et al. 2024, arXiv 2312.08935). The soft label is {@code
 * mcValue}, the hard label {@code mcValue > 0} (ALGORITHMS.md §1). Its Avro form, for files and
 * Kafka, is {@code dev.rlflow.traces.ProcessLabel}.
 *
 * @param questionId the question's id in its dataset
 * @param question the question text, so that a PRM can be trained from labels alone
 * @param searchId the search that produced the label (labels of one search share it)
 * @param policyVersion the version of the policy that produced the rollouts
 * @param prefixSteps the solution steps before {@code step}
 * @param step the labelled step
 * @param mcValue the fraction of correct rollouts through the prefix ending with {@code step}, in
 *     [0, 1]
 * @param rollouts how many rollouts that fraction is over; 0 when the value follows without
 *     rollouts (e.g. a complete solution judged by the verifier)
 */
public record ProcessLabel(
    String questionId,
    String question,
    long searchId,
    long policyVersion,
    List<String> prefixSteps,
    String step,
    double mcValue,
    int rollouts) {

  public ProcessLabel {
    Objects.requireNonNull(questionId, "questionId");
    Objects.requireNonNull(question, "question");
    prefixSteps = List.copyOf(prefixSteps);
    Objects.requireNonNull(step, "step");
    if (!(mcValue >= 0.0 && mcValue <= 1.0)) {
      throw new IllegalArgumentException(
          "Invalid value " + mcValue + " for mcValue: must be in [0, 1]");
    }
    if (rollouts < 0) {
      throw new IllegalArgumentException(
          "Invalid value " + rollouts + " for rollouts: must be >= 0");
    }
  }

  /** The hard label: the prefix ending with this step can still reach the right answer. */
  public boolean correct() {
    return mcValue > 0;
  }

  /** 0-based position of the labelled step in its solution. */
  public int stepIndex() {
    return prefixSteps.size();
  }
}
