package dev.rlflow.training.advantage;

import java.util.Arrays;

/**
 * Reward-ranked fine-tuning's advantages: 1 on every token of a response the update accepts, 0
 * elsewhere, so the PPO loss on them is the likelihood of the accepted responses alone (RAFT, Dong
 * et al. 2023, arXiv 2304.06767; ReST-EM, Singh et al. 2023, arXiv 2312.06585: sample, keep what
 * the reward accepts, fine-tune on it). No baseline and no negative advantage: a small policy that
 * is pushed away from its own confident mistakes at a fine-tuning learning rate collapses, where
 * likelihood on its verified solutions does not (docs/benchmarks.md, "raft").
 *
 * <p>A response is accepted when the verifier rewards it ({@code outcome > 0}) and, with step
 * rewards, the PRM judges every one of its steps right (reward {@code > 0}: the score above the
 * PRM's decision threshold). That is min-form credit (PURE, Cheng et al. 2025, arXiv 2504.15275) as
 * a filter: a solution is worth its weakest step, so a right answer the PRM believes was reached
 * through a wrong step is not learned. Rejected responses are never learned from, not even their
 * leading steps the PRM judges right: from the answer verifier's PRM that cost 13 points against
 * the filter alone (docs/benchmarks.md, "Process credit from the answer verifier").
 */
public final class Raft {

  private Raft() {}

  /**
   * The advantage of each of a response's {@code tokens} tokens.
   *
   * @param outcome the verifier's reward of the whole response
   * @param steps its steps and their rewards, {@link Steps#none()} without a PRM
   * @throws IllegalArgumentException if a step ends beyond the response
   */
  public static double[] advantages(double outcome, Steps steps, int tokens) {
    steps.requireWithin(tokens);
    double[] advantages = new double[tokens];
    if (outcome > 0 && Arrays.stream(steps.rewards()).allMatch(r -> r > 0)) {
      Arrays.fill(advantages, 1.0);
    }
    return advantages;
  }
}
