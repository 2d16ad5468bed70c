package dev.rlflow.training.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.AlgorithmConfig.KlEstimator;
import dev.rlflow.core.config.AlgorithmConfig.KlPlacement;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.training.Autograd;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PPO loss terms against hand-computed values and gradients (ALGORITHMS.md §4).
 *
 * <p>The toy policy: two positions, vocabulary of two, logits theta all 0, so pi = (.5, .5) at
 * both. Position 0 sampled token 0 with pi_old .45 (rho = 10/9, inside [.8, 1.2]); position 1
 * sampled token 1 with pi_old .25 (rho = 2, outside). With d log pi(a) / d theta = onehot(a) - pi
 * and token-mean over 2 tokens, an unclipped term contributes {@code -rho A (onehot(a) - pi) / 2}
 * to the gradient and a clipped one nothing.
 */
class PpoLossTest {
  private NDManager manager;
  private NDArray tokens;
  private NDArray oldLogProbs;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager(Device.cpu());
    tokens = manager.create(new long[] {0, 1}, new Shape(1, 2)).duplicate();
    oldLogProbs = floats(Math.log(.45), Math.log(.25));
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void onePpoStepOnATwoTokenToyPolicy() {
    // A = (+1, +1). Position 0: min(10/9, 10/9) = 10/9, gradient -(10/9)(.5, -.5)/2 =
    // (-.2777778, .2777778). Position 1: min(2, 1.2) = 1.2, clipped: no gradient.
    // loss = -(10/9 + 1.2)/2 = -1.1555556; clip fraction 1/2;
    // approx KL = mean(rho - 1 - ln rho) = (.0057506 + .3068528)/2 = .1563017.
    NDArray logits = manager.zeros(new Shape(1, 2, 2));
    logits.setRequiresGradient(true);
    try (GradientCollector collector = Autograd.collector()) {
      PpoLoss.Policy policy =
          PpoLoss.policy(logProbs(logits, tokens), oldLogProbs, floats(1, 1), floats(1, 1), 0.2);
      assertThat(policy.loss().getFloat()).isCloseTo(-1.1555556f, within(1e-6f));
      assertThat(policy.clipFraction()).isCloseTo(0.5, within(1e-7));
      assertThat(policy.approxKl()).isCloseTo(0.1563017, within(1e-6));
      collector.backward(policy.loss());
    }
    float[] gradient = logits.getGradient().toFloatArray();
    assertThat(gradient)
        .containsExactly(new float[] {-.2777778f, .2777778f, 0f, 0f}, within(1e-6f));

    // One gradient-descent step with learning rate 1: theta_0 = (.2777778, -.2777778), so
    // pi(token 0 | position 0) = 1 / (1 + e^-.5555556) = .6354236; position 1 stays at .5.
    float[] theta = logits.toFloatArray();
    for (int i = 0; i < theta.length; i++) {
      theta[i] -= gradient[i];
    }
    float[] pi = manager.create(theta, new Shape(1, 2, 2)).softmax(-1).toFloatArray();
    assertThat(pi).containsExactly(new float[] {.6354236f, .3645764f, .5f, .5f}, within(1e-6f));
  }

  @Test
  void negativeAdvantageKeepsTheGradientOutsideTheClipRange() {
    // A = (-1, -1): min picks the unclipped, more negative term at both positions (rho 2 > 1.2
    // makes -2 < -1.2), the pessimistic bound. loss = (10/9 + 2)/2 = 1.5555556; gradient at
    // position 0 (10/9)(.5, -.5)/2 = (.2777778, -.2777778), at position 1 2(-.5, .5)/2 = (-.5, .5).
    NDArray logits = manager.zeros(new Shape(1, 2, 2));
    logits.setRequiresGradient(true);
    try (GradientCollector collector = Autograd.collector()) {
      PpoLoss.Policy policy =
          PpoLoss.policy(logProbs(logits, tokens), oldLogProbs, floats(-1, -1), floats(1, 1), 0.2);
      assertThat(policy.loss().getFloat()).isCloseTo(1.5555556f, within(1e-6f));
      assertThat(policy.clipFraction()).isZero();
      collector.backward(policy.loss());
    }
    assertThat(logits.getGradient().toFloatArray())
        .containsExactly(new float[] {.2777778f, -.2777778f, -.5f, .5f}, within(1e-6f));
  }

  @Test
  void dualClipBoundsTheLossOfANegativeAdvantageAtThreeTimesIt() {
    // A = (-1, -1), position 1 sampled with pi_old .1: rho 5. PPO's min alone would charge 5 and
    // keep pushing; dual-clip (Ye et al. 2020, c = 3) bounds the term at 3 |A| and removes its
    // gradient. loss = (10/9 + 3)/2 = 2.0555556; gradient only at position 0,
    // (10/9)(.5, -.5)/2 = (.2777778, -.2777778).
    NDArray logits = manager.zeros(new Shape(1, 2, 2));
    logits.setRequiresGradient(true);
    try (GradientCollector collector = Autograd.collector()) {
      PpoLoss.Policy policy =
          PpoLoss.policy(
              logProbs(logits, tokens),
              floats(Math.log(.45), Math.log(.1)),
              floats(-1, -1),
              floats(1, 1),
              0.2);
      assertThat(policy.loss().getFloat()).isCloseTo(2.0555556f, within(1e-6f));
      collector.backward(policy.loss());
    }
    assertThat(logits.getGradient().toFloatArray())
        .containsExactly(new float[] {.2777778f, -.2777778f, 0f, 0f}, within(1e-6f));
  }

  @Test
  void maskedPositionsHoldingInfinityAndNanReachNeitherLossNorGradient() {
    // A third, masked position: the sampled token has logit -inf (log pi = -inf), pi_old -inf,
    // advantage NaN. The loss and gradient are those of the first test.
    float inf = Float.NEGATIVE_INFINITY;
    NDArray logits = manager.create(new float[] {0, 0, 0, 0, inf, 0}, new Shape(1, 3, 2));
    logits.setRequiresGradient(true);
    NDArray tokens3 = manager.create(new long[] {0, 1, 0}, new Shape(1, 3)).duplicate();
    NDArray old = manager.create(new float[] {(float) Math.log(.45), (float) Math.log(.25), inf});
    try (GradientCollector collector = Autograd.collector()) {
      PpoLoss.Policy policy =
          PpoLoss.policy(
              logProbs(logits, tokens3),
              old.reshape(1, 3),
              manager.create(new float[] {1, 1, Float.NaN}, new Shape(1, 3)),
              manager.create(new float[] {1, 1, 0}, new Shape(1, 3)),
              0.2);
      assertThat(policy.loss().getFloat()).isCloseTo(-1.1555556f, within(1e-6f));
      assertThat(policy.approxKl()).isCloseTo(0.1563017, within(1e-6));
      collector.backward(policy.loss());
    }
    assertThat(logits.getGradient().toFloatArray())
        .containsExactly(new float[] {-.2777778f, .2777778f, 0f, 0f, 0f, 0f}, within(1e-6f));
  }

  @Test
  void valueLossKeepsTheLargerOfTheClippedAndUnclippedErrors() {
    // V_old .8, eps_v .2, so V_clip is V clipped to [.6, 1.0]; token-mean over 3 tokens.
    // t0: V .9 inside, R 1.5: both errors .36, gradient (V - R)/3 = -.2.
    // t1: V .5 -> V_clip .6, R 0: .25 vs .36, the clipped one wins: no gradient (the clip is flat).
    // t2: V .5 -> V_clip .6, R 1.5: 1.0 vs .81, the unclipped one wins: gradient -1/3.
    // loss = 1/2 (.36 + .36 + 1.0)/3 = .2866667.
    NDArray values = floats(.9, .5, .5);
    values.setRequiresGradient(true);
    try (GradientCollector collector = Autograd.collector()) {
      NDArray loss =
          PpoLoss.value(values, floats(.8, .8, .8), floats(1.5, 0, 1.5), floats(1, 1, 1), 0.2);
      assertThat(loss.getFloat()).isCloseTo(.2866667f, within(1e-6f));
      collector.backward(loss);
    }
    assertThat(values.getGradient().toFloatArray())
        .containsExactly(new float[] {-.2f, 0f, -.3333333f}, within(1e-6f));
  }

  @Test
  void entropyIsTheTokenMeanOverCountedPositions() {
    // Position 0: logits (0, ln 3), p = (1/4, 3/4), H = .5623351, dH/dz_i = -p_i (ln p_i + H) =
    // (.2059898, -.2059898). Position 1 is masked.
    NDArray logits =
        manager.create(new float[] {0, (float) Math.log(3), 5, -5}, new Shape(1, 2, 2));
    logits.setRequiresGradient(true);
    try (GradientCollector collector = Autograd.collector()) {
      NDArray entropy = PpoLoss.entropy(logits, floats(1, 0));
      assertThat(entropy.getFloat()).isCloseTo(.5623351f, within(1e-6f));
      collector.backward(entropy);
    }
    assertThat(logits.getGradient().toFloatArray())
        .containsExactly(new float[] {.2059898f, -.2059898f, 0f, 0f}, within(1e-6f));
  }

  @Test
  void klInTheLossIsK3WithGradientOneMinusR() {
    // pi (.5, .2), pi_ref (.25, .4): k3 = (.1931472, .3068528), mean .25; gradient (1 - r)/2.
    NDArray logProbs = floats(Math.log(.5), Math.log(.2));
    logProbs.setRequiresGradient(true);
    NDArray ref = floats(Math.log(.25), Math.log(.4));
    try (GradientCollector collector = Autograd.collector()) {
      NDArray kl = PpoLoss.kl(KlEstimator.K3, logProbs, ref, floats(1, 1));
      assertThat(kl.getFloat()).isCloseTo(.25f, within(1e-6f));
      collector.backward(kl);
    }
    assertThat(logProbs.getGradient().toFloatArray())
        .containsExactly(new float[] {.25f, -.5f}, within(1e-6f));
    assertThat(PpoLoss.kl(KlEstimator.K1, logProbs, ref, floats(0, 1)).getFloat())
        .isCloseTo(-.6931472f, within(1e-6f));
  }

  @Test
  void expectedGradientOfKlInTheLossIsZeroForK1AndPullsBackForK2AndK3() {
    // ALGORITHMS.md §3's oracle: pi = (.5, .3, .2), pi_ref = (.4, .4, .2), the expected gradient
    // w.r.t. the logits z enumerated over the sampled action a, sum_a pi(a) grad_z loss(a).
    // KL(pi || pi_ref) = .5 ln 1.25 + .3 ln .75 = .0252671; for a softmax its gradient is
    // pi_j (ln(pi_j / ref_j) - KL) = (.0989385, -.0938848, -.0050534): k2's expectation.
    // k3 = r - 1 - ln r has gradient (1 - r) grad log pi, expectation sum_a (pi_a - ref_a)
    // grad log pi(a) = pi - ref = (.1, -.1, 0), the gradient of KL(pi_ref || pi). k1 = ln pi - ln
    // ref has gradient grad log pi(a), whose expectation is 0: it pulls nothing back.
    assertThat(expectedKlGradient(KlEstimator.K1))
        .containsExactly(new double[] {0, 0, 0}, within(1e-6));
    assertThat(expectedKlGradient(KlEstimator.K2))
        .containsExactly(new double[] {.0989385, -.0938848, -.0050534}, within(1e-6));
    assertThat(expectedKlGradient(KlEstimator.K3))
        .containsExactly(new double[] {.1, -.1, 0}, within(1e-6));
    // The default in the loss (grpo places KL there) pulls back: k3.
    AlgorithmConfig grpo =
        RunConfigLoader.parse("algorithm: {name: grpo}", "test.yaml", Map.of()).algorithm();
    assertThat(grpo.effectiveKlPlacement()).isEqualTo(KlPlacement.LOSS);
    assertThat(expectedKlGradient(grpo.klEstimator()))
        .containsExactly(new double[] {.1, -.1, 0}, within(1e-6));
  }

  /** sum_a pi(a) d kl(a) / d z on the 3-action policy of ALGORITHMS.md §3's oracle. */
  private double[] expectedKlGradient(KlEstimator estimator) {
    double[] pi = {.5, .3, .2};
    double[] ref = {.4, .4, .2};
    double[] expected = new double[3];
    for (int a = 0; a < 3; a++) {
      NDArray z = // logits with softmax pi
          manager.create(
              new float[] {
                (float) Math.log(pi[0]), (float) Math.log(pi[1]), (float) Math.log(pi[2])
              },
              new Shape(1, 1, 3));
      z.setRequiresGradient(true);
      try (GradientCollector collector = Autograd.collector()) {
        NDArray logPi = logProbs(z, manager.create(new long[] {a}, new Shape(1, 1)).duplicate());
        NDArray kl =
            PpoLoss.kl(
                estimator,
                logPi,
                manager.create(new float[] {(float) Math.log(ref[a])}, new Shape(1, 1)),
                manager.ones(new Shape(1, 1)));
        collector.backward(kl);
      }
      float[] g = z.getGradient().toFloatArray();
      for (int j = 0; j < 3; j++) {
        expected[j] += pi[a] * g[j];
      }
    }
    return expected;
  }

  @Test
  void nothingCountedGivesZero() {
    NDArray none = floats(0, 0);
    assertThat(
            PpoLoss.policy(floats(-1, -1), oldLogProbs, floats(1, 1), none, .2).loss().getFloat())
        .isCloseTo(0f, within(1e-12f));
    assertThat(PpoLoss.value(floats(1, 1), floats(0, 0), floats(2, 2), none, .2).getFloat())
        .isCloseTo(0f, within(1e-12f));
  }

  @Test
  void rejectsMismatchedShapesAndClipRatios() {
    assertThatThrownBy(
            () -> PpoLoss.policy(floats(0, 0), floats(0), floats(1, 1), floats(1, 1), .2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid shape (1, 1) of oldLogProbs: must equal the first argument's (1, 2)");
    assertThatThrownBy(
            () -> PpoLoss.policy(floats(0, 0), floats(0, 0), floats(1, 1), floats(1, 1), 1.5))
        .hasMessage("Invalid value 1.5 for clipRatio: must be in [0, 1]");
    assertThatThrownBy(() -> PpoLoss.entropy(manager.zeros(new Shape(1, 3, 4)), floats(1, 1)))
        .hasMessage(
            "Invalid shape (1, 3, 4) of logits: must be (B, T, V) with (B, T) the mask's (1, 2)");
  }

  /** A (1, n) float32 array. */
  private NDArray floats(double... values) {
    float[] f = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      f[i] = (float) values[i];
    }
    return manager.create(f, new Shape(1, values.length));
  }

  /** log pi of each sampled token, (B, T), from logits (B, T, V). */
  private static NDArray logProbs(NDArray logits, NDArray tokens) {
    return logits
        .logSoftmax(-1)
        .gather(tokens.toType(DataType.INT64, false).expandDims(-1), -1)
        .squeeze(-1);
  }
}
