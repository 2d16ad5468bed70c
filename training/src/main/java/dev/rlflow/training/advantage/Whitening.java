package dev.rlflow.training.advantage;

import java.util.ArrayList;
import java.util.List;

/**
 * Standardising values to zero mean and unit spread: {@code (x - mean) / (std + EPS)}, with the
 * mean and the population standard deviation (ddof 0) taken over every value given.
 *
 * <p>One rule serves batch whitening of advantages and the group normalisation of GRPO, the rule
 * ALGORITHMS.md §3 decides for process GRPO: ddof 0 because the values are the whole population
 * being normalised (a group of G samples, a batch of tokens), not a sample from a larger one, and
 * {@link #EPS} in the denominator so that identical values give advantages of (nearly) 0 instead of
 * NaN.
 */
public final class Whitening {

  /**
   * Added to the standard deviation: negligible against the spread of any informative batch, and
   * bounds the result by {@code |x - mean| / EPS} when every value is (nearly) the same.
   */
  public static final double EPS = 1e-6;

  private Whitening() {}

  /**
   * Whitens a batch of per-token advantages as one population: the mean and standard deviation run
   * over all tokens of all responses, so a long response weighs more than a short one, as every
   * token does in the token-mean loss.
   *
   * @return new arrays, one per response, in order
   * @throws IllegalArgumentException if the batch holds no value or a non-finite one
   */
  public static List<double[]> whiten(List<double[]> batch) {
    long n = 0;
    double sum = 0;
    for (double[] values : batch) {
      for (int t = 0; t < values.length; t++) {
        if (!Double.isFinite(values[t])) {
          throw new IllegalArgumentException(
              "Invalid value " + values[t] + " at index " + t + ": must be finite to whiten");
        }
        sum += values[t];
      }
      n += values.length;
    }
    if (n == 0) {
      throw new IllegalArgumentException("Nothing to whiten: the batch holds no value");
    }
    double mean = sum / n;
    double squares = 0; // second pass: no cancellation between sum of squares and mean^2
    for (double[] values : batch) {
      for (double v : values) {
        squares += (v - mean) * (v - mean);
      }
    }
    double scale = Math.sqrt(squares / n) + EPS;
    List<double[]> whitened = new ArrayList<>(batch.size());
    for (double[] values : batch) {
      double[] out = new double[values.length];
      for (int t = 0; t < values.length; t++) {
        out[t] = (values[t] - mean) / scale;
      }
      whitened.add(out);
    }
    return whitened;
  }

  /** Whitens the values of one array as their own population. */
  static double[] whiten(double[] values) {
    return whiten(List.of(values)).get(0);
  }
}
