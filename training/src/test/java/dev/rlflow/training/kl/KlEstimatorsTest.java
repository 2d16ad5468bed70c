package dev.rlflow.training.kl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.rlflow.core.config.AlgorithmConfig.KlEstimator;
import dev.rlflow.training.Autograd;
import org.junit.jupiter.api.Test;

/**
 * Two tokens: pi .5 and pi_ref .25 (log r = -ln 2), then pi .2 and pi_ref .4 (log r = ln 2):
 *
 * <pre>
 *   k1 = -log r:            .6931472, -.6931472
 *   k2 = (log r)^2 / 2:     .2402265,  .2402265
 *   k3 = r - 1 - log r:     .1931472,  .3068528
 * </pre>
 */
class KlEstimatorsTest {
  private static final double[] LOG_PROBS = {Math.log(.5), Math.log(.2)};
  private static final double[] REF_LOG_PROBS = {Math.log(.25), Math.log(.4)};

  @Test
  void estimatesPerToken() {
    assertThat(KlEstimators.estimate(KlEstimator.K1, LOG_PROBS, REF_LOG_PROBS))
        .containsExactly(new double[] {.6931472, -.6931472}, within(1e-7));
    assertThat(KlEstimators.estimate(KlEstimator.K2, LOG_PROBS, REF_LOG_PROBS))
        .containsExactly(new double[] {.2402265, .2402265}, within(1e-7));
    assertThat(KlEstimators.estimate(KlEstimator.K3, LOG_PROBS, REF_LOG_PROBS))
        .containsExactly(new double[] {.1931472, .3068528}, within(1e-7));
  }

  @Test
  void k1AndK3AreUnbiasedUnderThePolicyAndK2IsNot() {
    // pi = (.5, .5), pi_ref = (.25, .75): KL(pi || pi_ref) = .5 ln 2 + .5 ln(2/3) = .1438410.
    double[] pi = {.5, .5};
    double[] logPi = {Math.log(.5), Math.log(.5)};
    double[] logRef = {Math.log(.25), Math.log(.75)};
    double kl = .5 * Math.log(2) + .5 * Math.log(2.0 / 3);

    assertThat(expectation(pi, KlEstimators.estimate(KlEstimator.K1, logPi, logRef)))
        .isCloseTo(kl, within(1e-12));
    assertThat(expectation(pi, KlEstimators.estimate(KlEstimator.K3, logPi, logRef)))
        .isCloseTo(kl, within(1e-12));
    assertThat(expectation(pi, KlEstimators.estimate(KlEstimator.K2, logPi, logRef)))
        .isCloseTo(.1612137, within(1e-7));
  }

  @Test
  void ndArrayFormMatchesAndK3HasGradientOneMinusR() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray logProbs = manager.create(new float[] {(float) LOG_PROBS[0], (float) LOG_PROBS[1]});
      NDArray ref =
          manager.create(new float[] {(float) REF_LOG_PROBS[0], (float) REF_LOG_PROBS[1]});
      assertThat(KlEstimators.estimate(KlEstimator.K1, logProbs, ref).toFloatArray())
          .containsExactly(new float[] {.6931472f, -.6931472f}, within(1e-6f));
      assertThat(KlEstimators.estimate(KlEstimator.K2, logProbs, ref).toFloatArray())
          .containsExactly(new float[] {.2402265f, .2402265f}, within(1e-6f));

      logProbs.setRequiresGradient(true);
      try (GradientCollector collector = Autograd.collector()) {
        NDArray k3 = KlEstimators.estimate(KlEstimator.K3, logProbs, ref);
        assertThat(k3.toFloatArray())
            .containsExactly(new float[] {.1931472f, .3068528f}, within(1e-6f));
        collector.backward(k3.sum());
      }
      // d/d log pi of exp(log pi_ref - log pi) - 1 - (log pi_ref - log pi) = 1 - r: .5 and -1.
      assertThat(logProbs.getGradient().toFloatArray())
          .containsExactly(new float[] {.5f, -1f}, within(1e-6f));
    }
  }

  @Test
  void rejectsArraysOfDifferentLength() {
    assertThatThrownBy(() -> KlEstimators.estimate(KlEstimator.K1, new double[2], new double[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid length 3 of refLogProbs: must equal the length of logProbs (2)");
  }

  private static double expectation(double[] p, double[] x) {
    return p[0] * x[0] + p[1] * x[1];
  }
}
