package dev.rlflow.training.kl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.config.AlgorithmConfig.KlEstimator;

/**
 * Schulman's per-token estimators of KL(pi || pi_ref) from tokens sampled by pi (J. Schulman,
 * "Approximating KL Divergence", 2020, http://joschu.net/blog/kl-approx.html), with {@code r =
 * pi_ref(x) / pi(x)}:
 *
 * <pre>
 *   k1 = -log r                 unbiased, high variance, negative on some tokens
 *   k2 = (log r)^2 / 2          biased (little for close policies), low variance, >= 0
 *   k3 = (r - 1) - log r        unbiased, low variance, >= 0
 * </pre>
 *
 * <p>k1 is {@code -log r = log pi - log pi_ref}, as in Schulman's note: its mean under pi is the
 * KL.
 *
 * <p>The double form feeds KL into the rewards; the NDArray form, differentiable on PyTorch, is the
 * KL-in-loss term of GRPO, where only k2 and k3 pull the policy back (ALGORITHMS.md §3: k1's loss
 * gradient has zero expectation; the configuration refuses it there).
 */
public final class KlEstimators {

  private KlEstimators() {}

  /**
   * The estimate at each token.
   *
   * @param estimator k1, k2 or k3
   * @param logProbs log pi of each sampled token
   * @param refLogProbs log pi_ref of the same tokens, same length
   * @throws IllegalArgumentException if the lengths differ
   */
  public static double[] estimate(KlEstimator estimator, double[] logProbs, double[] refLogProbs) {
    if (refLogProbs.length != logProbs.length) {
      throw new IllegalArgumentException(
          "Invalid length "
              + refLogProbs.length
              + " of refLogProbs: must equal the length of logProbs ("
              + logProbs.length
              + ")");
    }
    double[] kl = new double[logProbs.length];
    for (int t = 0; t < kl.length; t++) {
      double logR = refLogProbs[t] - logProbs[t];
      kl[t] =
          switch (estimator) {
            case K1 -> -logR;
            case K2 -> 0.5 * logR * logR;
            case K3 ->
                Math.expm1(logR) - logR; // expm1: accurate for the tiny log r of close policies
          };
    }
    return kl;
  }

  /**
   * The estimate at each token, float32, any shape; differentiable in both arguments.
   *
   * @param logProbs log pi of each sampled token
   * @param refLogProbs log pi_ref of the same tokens, same shape
   */
  public static NDArray estimate(KlEstimator estimator, NDArray logProbs, NDArray refLogProbs) {
    NDArray logR =
        refLogProbs.toType(DataType.FLOAT32, false).sub(logProbs.toType(DataType.FLOAT32, false));
    return ofLogRatio(estimator, logR);
  }

  /**
   * The estimate from {@code log r = log pi_ref - log pi} directly, float32, same shape; for
   * callers that have masked the log-ratio already (a padded position must not reach the
   * exponential).
   */
  public static NDArray ofLogRatio(KlEstimator estimator, NDArray logR) {
    return switch (estimator) {
      case K1 -> logR.neg();
      case K2 -> logR.square().mul(0.5f);
      case K3 -> logR.exp().sub(1f).sub(logR);
    };
  }
}
