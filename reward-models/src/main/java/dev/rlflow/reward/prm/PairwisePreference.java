package dev.rlflow.reward.prm;

/**
 * The pairwise objective's maths (ALGORITHMS.md §2): a Bradley–Terry model of which of two sibling
 * steps (same question, same prefix) is better, P(a ≻ b) = σ(r_a − r_b) with r the PRM's logit
 * margin (correct − incorrect), trained with cross-entropy against the soft target ½(1 + p − q)
 * from the steps' Monte Carlo values p and q (equal values: ½; a sure step over a dead one: 1).
 */
public final class PairwisePreference {
  private PairwisePreference() {}

  /** ½(1 + p − q) for Monte Carlo values p (of a) and q (of b) in [0, 1]. */
  public static double target(double p, double q) {
    return 0.5 * (1.0 + (p - q)); // p − q first: equal values give exactly ½
  }

  /**
   * −[t·log σ(d) + (1 − t)·log(1 − σ(d))] for the margin d = r_a − r_b, computed stably as
   * softplus(d) − t·d.
   */
  public static double loss(double rA, double rB, double target) {
    double d = rA - rB;
    double softplus = Math.max(d, 0) + Math.log1p(Math.exp(-Math.abs(d)));
    return softplus - target * d;
  }
}
