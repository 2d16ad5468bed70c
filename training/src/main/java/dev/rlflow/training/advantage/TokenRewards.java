package dev.rlflow.training.advantage;

/**
 * The reward of each response token (ALGORITHMS.md §3): the token that ends step j carries the
 * step's reward, the last token carries the outcome reward, and every token pays the KL penalty.
 *
 * <pre>
 *   r_t = sum of rewards of steps ending at t + [t = T - 1] * outcome - beta * KL_t
 * </pre>
 *
 * <p>Placing the reward on the token that completes what is rewarded is what lets GAE assign a
 * step's credit to the tokens before it and not to those after.
 */
public final class TokenRewards {

  private TokenRewards() {}

  /**
   * The token rewards of one response of {@code kl.length} tokens.
   *
   * @param kl the per-token KL estimate to the reference policy (0 where KL enters the loss)
   * @param klCoef beta, {@code >= 0} and finite; pass 0 when KL is placed in the loss
   * @param steps the response's steps, all ending inside it
   * @param outcome the reward of the whole response, finite
   * @throws IllegalArgumentException if {@code kl} is empty or not finite, a step ends outside the
   *     response, or a coefficient is out of range
   */
  public static double[] of(double[] kl, double klCoef, Steps steps, double outcome) {
    if (kl.length < 1) {
      throw new IllegalArgumentException("Invalid length 0 of kl: must be >= 1");
    }
    if (!(klCoef >= 0) || Double.isInfinite(klCoef)) {
      throw new IllegalArgumentException(
          "Invalid value " + klCoef + " for klCoef: must be >= 0 and finite");
    }
    if (!Double.isFinite(outcome)) {
      throw new IllegalArgumentException(
          "Invalid value " + outcome + " for outcome: must be finite");
    }
    steps.requireWithin(kl.length);
    double[] rewards = new double[kl.length];
    for (int t = 0; t < kl.length; t++) {
      if (!Double.isFinite(kl[t])) {
        throw new IllegalArgumentException(
            "Invalid value " + kl[t] + " for kl[" + t + "]: must be finite");
      }
      rewards[t] = -klCoef * kl[t];
    }
    int[] ends = steps.ends();
    double[] stepRewards = steps.rewards();
    for (int j = 0; j < ends.length; j++) {
      rewards[ends[j]] += stepRewards[j];
    }
    rewards[kl.length - 1] += outcome;
    return rewards;
  }
}
