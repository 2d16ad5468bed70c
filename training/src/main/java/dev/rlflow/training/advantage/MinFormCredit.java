package dev.rlflow.training.advantage;

/**
 * Min-form credit assignment of step rewards (PURE, Cheng et al. 2025, "Stop Summation: Min-Form
 * Credit Assignment Is All Process Reward Model Needs for Reasoning", arXiv 2504.15275): the return
 * of step j is the smallest step reward at or after it, {@code G_j = min_{k >= j} r_k}, not their
 * sum (ALGORITHMS.md §3).
 *
 * <p>With summed step rewards a response's return grows with every step the PRM approves, so the
 * policy learns to write more steps; with the minimum a response is worth its weakest remaining
 * step, and adding an approved step changes no earlier return.
 */
public final class MinFormCredit {

  private MinFormCredit() {}

  /**
   * The step returns {@code G_j = min_{k >= j} r_k} of {@code stepRewards}, in step order.
   *
   * @param stepRewards the reward of each step, finite
   */
  public static double[] returns(double[] stepRewards) {
    double[] returns = new double[stepRewards.length];
    double min = Double.POSITIVE_INFINITY;
    for (int j = stepRewards.length - 1; j >= 0; j--) {
      min = Math.min(min, stepRewards[j]);
      returns[j] = min;
    }
    return returns;
  }

  /**
   * {@code steps} rewarded {@code G_j - G_{j+1}} (with {@code G} after the last step 0), so that
   * the undiscounted sum of the rewards of the steps at or after j is {@link #returns G_j}: the
   * rewards that, placed on the steps' last tokens, give every token the min-form return of its
   * step.
   */
  public static Steps of(Steps steps) {
    double[] g = returns(steps.rewards());
    double[] rewards = new double[g.length];
    for (int j = 0; j < g.length; j++) {
      rewards[j] = g[j] - (j + 1 < g.length ? g[j + 1] : 0);
    }
    return new Steps(steps.ends(), rewards);
  }
}
