package dev.rlflow.training.advantage;

import java.util.Arrays;

/**
 * Reward-ranked fine-tuning's advantages: 1 on the tokens the update accepts, 0 elsewhere, so the
 * PPO loss on them is the likelihood of the accepted tokens alone (RAFT, Dong et al. 2023, arXiv
 * 2304.06767; ReST-EM, Singh et al. 2023, arXiv 2312.06585: sample, keep what the reward accepts,
 * fine-tune on it). No baseline and no negative advantage: a small policy that is pushed away from
 * its own confident mistakes at a fine-tuning learning rate collapses, where likelihood on its
 * verified solutions does not (docs/benchmarks.md, "raft").
 *
 * <p>A response the verifier rewards ({@code outcome > 0}) is accepted whole. With step rewards,
 * the leading steps of a rejected response that the PRM judges right (reward {@code > 0}: the score
 * above the PRM's decision threshold) are accepted up to the first step it judges wrong, as a
 * process label marks the first error of a solution (Lightman et al. 2023, arXiv 2305.20050): what
 * came before it is a right partial solution worth learning.
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
    int accepted = outcome > 0 ? tokens : acceptedPrefix(steps);
    Arrays.fill(advantages, 0, accepted, 1.0);
    return advantages;
  }

  /** The tokens up to the end of the last step of the leading run of steps rewarded above 0. */
  private static int acceptedPrefix(Steps steps) {
    int[] ends = steps.ends();
    double[] rewards = steps.rewards();
    int accepted = 0;
    for (int j = 0; j < ends.length && rewards[j] > 0; j++) {
      accepted = ends[j] + 1;
    }
    return accepted;
  }
}
