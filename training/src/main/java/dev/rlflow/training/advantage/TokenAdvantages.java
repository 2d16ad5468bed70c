package dev.rlflow.training.advantage;

/**
 * The per-token training targets of one response: the advantage that weighs each token's
 * policy-gradient term and the return a critic regresses to.
 *
 * <p>For PPO the return is GAE's λ-return {@code A + V}; for the critic-free algorithms it is the
 * discounted reward-to-go of the token rewards, reported but trained on by nothing.
 *
 * @param advantages A_t, one per response token
 * @param returns R_t, one per response token
 */
public record TokenAdvantages(double[] advantages, double[] returns) {

  public TokenAdvantages {
    if (advantages.length < 1) {
      throw new IllegalArgumentException("Invalid length 0 of advantages: must be >= 1");
    }
    if (returns.length != advantages.length) {
      throw new IllegalArgumentException(
          "Invalid length "
              + returns.length
              + " of returns: must equal the length of advantages ("
              + advantages.length
              + ")");
    }
    advantages = advantages.clone();
    returns = returns.clone();
  }

  /** The advantages (a copy). */
  @Override
  public double[] advantages() {
    return advantages.clone();
  }

  /** The returns (a copy). */
  @Override
  public double[] returns() {
    return returns.clone();
  }

  /** The same returns with other advantages, e.g. whitened ones. */
  public TokenAdvantages withAdvantages(double[] advantages) {
    return new TokenAdvantages(advantages, returns);
  }
}
