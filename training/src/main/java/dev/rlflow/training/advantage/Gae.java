package dev.rlflow.training.advantage;

/**
 * Generalized advantage estimation (Schulman et al. 2016, "High-Dimensional Continuous Control
 * Using Generalized Advantage Estimation", arXiv 1506.02438, eq. 16) over one response:
 *
 * <pre>
 *   delta_t = r_t + gamma * V_{t+1} - V_t,     V_T = 0 (nothing follows the last token)
 *   A_t     = delta_t + gamma * lambda * A_{t+1},   A_T = 0
 *   R_t     = A_t + V_t
 * </pre>
 *
 * <p>The same recursion runs over tokens, over reasoning steps or over macro actions: the caller
 * decides what one index is.
 */
public final class Gae {

  private Gae() {}

  /**
   * The advantages and λ-returns of one response.
   *
   * @param rewards r_t per index
   * @param values the critic's V_t per index, same length as {@code rewards}
   * @param gamma discount, in [0, 1]
   * @param lambda GAE's bias-variance trade-off, in [0, 1]
   * @throws IllegalArgumentException if the arrays are empty or differ in length, or gamma or
   *     lambda is outside [0, 1]
   */
  public static TokenAdvantages estimate(
      double[] rewards, double[] values, double gamma, double lambda) {
    requireUnit("gamma", gamma);
    requireUnit("lambda", lambda);
    if (rewards.length < 1) {
      throw new IllegalArgumentException("Invalid length 0 of rewards: must be >= 1");
    }
    if (values.length != rewards.length) {
      throw new IllegalArgumentException(
          "Invalid length "
              + values.length
              + " of values: must equal the length of rewards ("
              + rewards.length
              + ")");
    }
    int n = rewards.length;
    double[] advantages = new double[n];
    double[] returns = new double[n];
    double nextValue = 0;
    double nextAdvantage = 0;
    for (int t = n - 1; t >= 0; t--) {
      double delta = rewards[t] + gamma * nextValue - values[t];
      nextAdvantage = delta + gamma * lambda * nextAdvantage;
      advantages[t] = nextAdvantage;
      returns[t] = nextAdvantage + values[t];
      nextValue = values[t];
    }
    return new TokenAdvantages(advantages, returns);
  }

  /**
   * The discounted reward-to-go {@code G_t = sum_{s >= t} gamma^(s - t) r_s}: GAE with no critic (V
   * = 0) and lambda = 1, which is what the critic-free algorithms weight tokens by.
   *
   * @throws IllegalArgumentException if {@code rewards} is empty or gamma is outside [0, 1]
   */
  public static double[] rewardToGo(double[] rewards, double gamma) {
    return estimate(rewards, new double[rewards.length], gamma, 1.0).advantages();
  }

  private static void requireUnit(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          "Invalid value " + value + " for " + name + ": must be in [0, 1]");
    }
  }
}
