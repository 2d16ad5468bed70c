package dev.rlflow.training.advantage;

/**
 * The reward of each response token (ALGORITHMS.md §3): the token that ends step j carries the
 * step's min-form credit ({@link MinFormCredit}), the last token carries the outcome reward, once,
 * and every token pays the KL penalty.
 *
 * <pre>
 *   G_j = min_{k >= j} stepReward_k,   G after the last step = 0
 *   r_t = sum of (G_j - G_{j+1}) over steps j ending at t + [t = T - 1] * outcome - beta * KL_t
 * </pre>
 *
 * <p>The undiscounted reward-to-go of a token is then its step's G plus the outcome (minus the KL
 * to come): a response is not paid for the number of steps the PRM approves. Placing the reward on
 * the token that completes what is rewarded is what lets GAE assign a step's credit to the tokens
 * before it and not to those after.
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
    Steps credited = MinFormCredit.of(steps);
    int[] ends = credited.ends();
    double[] stepRewards = credited.rewards();
    for (int j = 0; j < ends.length; j++) {
      rewards[ends[j]] += stepRewards[j];
    }
    rewards[kl.length - 1] += outcome;
    return rewards;
  }
}
