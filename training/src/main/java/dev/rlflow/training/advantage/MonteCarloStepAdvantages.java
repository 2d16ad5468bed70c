package dev.rlflow.training.advantage;

import java.util.Arrays;

/**
 * VinePPO's step advantages (Kazemnejad et al. 2024, "VinePPO: Unlocking RL Potential for LLM
 * Reasoning Through Refined Credit Assignment", arXiv 2410.01679, eq. 5; ALGORITHMS.md §3): with
 * V̂(s_j) the Monte Carlo value of the prefix ending at step j,
 *
 * <pre>
 *   A_j = r_j + V̂(s_j) − V̂(s_{j−1}),   j = 1 … M
 * </pre>
 *
 * where V̂(s_0) values the bare prompt and V̂(s_M), after the last step, is the response's own
 * outcome, so the outcome enters once, through the last step's value, and r_j is a step's own
 * reward (0 without a PRM). Every token of step j gets A_j. No critic, and no whitening: VinePPO
 * trains on the raw Monte Carlo advantages, whose scale is the outcome's.
 */
public final class MonteCarloStepAdvantages {

  private MonteCarloStepAdvantages() {}

  /**
   * The advantage of each step, {@code A_j = r_j + V̂(s_j) − V̂(s_{j−1})}.
   *
   * @param root V̂(s_0), finite
   * @param values V̂(s_1) … V̂(s_M), the last the outcome, finite, at least one
   * @param rewards r_1 … r_M, finite, same length
   * @throws IllegalArgumentException if the lengths differ, are 0, or a value is not finite
   */
  public static double[] steps(double root, double[] values, double[] rewards) {
    if (values.length < 1 || rewards.length != values.length) {
      throw new IllegalArgumentException(
          "Invalid lengths "
              + values.length
              + " of values and "
              + rewards.length
              + " of rewards: must be equal and >= 1");
    }
    requireFinite("root", new double[] {root});
    requireFinite("values", values);
    requireFinite("rewards", rewards);
    double[] advantages = new double[values.length];
    double before = root;
    for (int j = 0; j < values.length; j++) {
      advantages[j] = rewards[j] + values[j] - before;
      before = values[j];
    }
    return advantages;
  }

  /**
   * Spreads step advantages over a response's tokens: every token of step j (after step j−1's end,
   * up to and including {@code ends[j]}) gets {@code stepAdvantages[j]}; tokens after the last end
   * get the last step's.
   *
   * @param ends the response-token index ending each step, strictly increasing, inside the response
   * @param stepAdvantages one per step
   * @param tokens the response length, {@code > ends[last]}
   */
  public static double[] tokens(int[] ends, double[] stepAdvantages, int tokens) {
    if (ends.length < 1 || ends.length != stepAdvantages.length) {
      throw new IllegalArgumentException(
          "Invalid lengths "
              + ends.length
              + " of ends and "
              + stepAdvantages.length
              + " of stepAdvantages: must be equal and >= 1");
    }
    new Steps(ends, stepAdvantages).requireWithin(tokens);
    double[] perToken = new double[tokens];
    int from = 0;
    for (int j = 0; j < ends.length; j++) {
      int to = j == ends.length - 1 ? tokens : ends[j] + 1;
      Arrays.fill(perToken, from, to, stepAdvantages[j]);
      from = to;
    }
    return perToken;
  }

  private static void requireFinite(String name, double[] values) {
    for (int j = 0; j < values.length; j++) {
      if (!Double.isFinite(values[j])) {
        throw new IllegalArgumentException(
            "Invalid value " + values[j] + " for " + name + "[" + j + "]: must be finite");
      }
    }
  }
}
