package dev.rlflow.jobs.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * The pass@k of an evaluation: the expected fraction of problems solved by at least one of k
 * sampled solutions.
 *
 * @param k the number of samples drawn
 * @param value the estimate, in [0, 1]
 */
public record PassAtK(@JsonProperty("k") int k, @JsonProperty("value") double value) {
  private static final MathContext PRECISION = new MathContext(40);

  /** Validates the figure. */
  public PassAtK {
    if (k < 1) {
      throw new IllegalArgumentException("Invalid value " + k + " for pass_at_k.k: must be >= 1");
    }
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          "Invalid value " + value + " for pass@" + k + ": must be in [0, 1]");
    }
  }

  /**
   * The unbiased pass@k estimate for one problem from {@code n} samples of which {@code c} are
   * correct: {@code 1 - C(n-c, k) / C(n, k)} (Chen et al. 2021, "Evaluating Large Language Models
   * Trained on Code", eq. 1), averaged over problems by the caller.
   *
   * <p>Computed exactly as {@code 1 - prod_{i=0}^{k-1} (n-c-i)/(n-i)} over integers and rounded
   * once, so e.g. {@code estimate(5, 2, 1)} is exactly {@code 0.4}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= c <= n} and {@code 1 <= k <= n}
   */
  public static double estimate(int n, int c, int k) {
    if (c < 0 || c > n || k < 1 || k > n) {
      throw new IllegalArgumentException(
          "Invalid pass@k arguments n="
              + n
              + ", c="
              + c
              + ", k="
              + k
              + ": must satisfy 0 <= c <= n and 1 <= k <= n");
    }
    if (n - c < k) {
      return 1.0; // every draw of k samples contains a correct one
    }
    BigInteger failing = BigInteger.ONE; // C(n-c, k) * k!
    BigInteger all = BigInteger.ONE; // C(n, k) * k!
    for (int i = 0; i < k; i++) {
      failing = failing.multiply(BigInteger.valueOf(n - c - i));
      all = all.multiply(BigInteger.valueOf(n - i));
    }
    return new BigDecimal(all.subtract(failing))
        .divide(new BigDecimal(all), PRECISION)
        .doubleValue();
  }
}
