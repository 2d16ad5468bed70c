package dev.rlflow.training.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Collection;

/**
 * Clipping of gradients by their global L2 norm (Pascanu, Mikolov and Bengio 2013, "On the
 * difficulty of training recurrent neural networks", arXiv 1211.5063): all gradients are scaled by
 * one factor, so the update keeps its direction. DJL's optimizers only clip element-wise.
 */
public final class GradientClipping {

  private GradientClipping() {}

  /**
   * Returns the global L2 norm {@code sqrt(sum over all gradients and elements of g^2)} before
   * clipping, and scales every gradient in place by {@code maxNorm / norm} when that norm exceeds
   * {@code maxNorm}.
   *
   * <p>Squares are summed in FP32 per gradient and over gradients in FP64. A non-finite norm (NaN
   * or infinite) is returned without scaling anything: that step must be skipped, not clipped.
   * Unlike {@code torch.nn.utils.clip_grad_norm_} the factor has no {@code 1e-6} in its
   * denominator, so a clipped norm is exactly {@code maxNorm}. Pass {@code
   * Double.POSITIVE_INFINITY} to measure without clipping.
   *
   * @throws IllegalArgumentException if {@code maxNorm} is not {@code > 0}
   */
  public static double clipByGlobalNorm(Collection<NDArray> gradients, double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("Invalid value " + maxNorm + " for maxNorm: must be > 0");
    }
    if (gradients.isEmpty()) {
      return 0;
    }
    double norm;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDList squares = new NDList(gradients.size());
      for (NDArray g : gradients) {
        squares.add(g.toType(DataType.FLOAT32, false).square().sum()); // () per gradient
      }
      NDArray total = NDArrays.stack(squares).toType(DataType.FLOAT64, false).sum(); // ()
      norm = Math.sqrt(total.getDouble());
    }
    if (Double.isFinite(norm) && norm > maxNorm) {
      float factor = (float) (maxNorm / norm);
      for (NDArray g : gradients) {
        g.muli(factor);
      }
    }
    return norm;
  }
}
