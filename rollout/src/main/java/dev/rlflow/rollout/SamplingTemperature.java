package dev.rlflow.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Logits divided by the rollout's sampling temperature, in float32: the one definition of the
 * distribution a rollout at temperature T draws from, softmax(logits / T), that the sampler's
 * log-probs, the trainer's, the reference's and the entropy are all computed from (ALGORITHMS.md
 * §3). With one definition the first minibatch's ratio pi_theta / pi_old is 1 whatever T is.
 */
public final class SamplingTemperature {

  private SamplingTemperature() {}

  /**
   * {@code logits / temperature} as float32, any shape; at temperature 1 the float32 logits
   * themselves, so the T = 1 path is bit for bit what it was. Differentiable: the divisor is a
   * libtorch-owned scalar created in {@code scope} (DESIGN.md §1: a Java-wrapped number may be
   * freed before autograd's backward reads it).
   *
   * @param temperature {@code > 0} and finite
   * @param scope the manager of the step, which owns the divisor
   */
  public static NDArray divide(NDArray logits, double temperature, NDManager scope) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "Invalid value " + temperature + " for temperature: must be > 0 and finite");
    }
    NDArray f = logits.toType(DataType.FLOAT32, false);
    return temperature == 1 ? f : f.div(scope.full(new Shape(), (float) temperature));
  }
}
