package dev.rlflow.training.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two sequences of two positions over a vocabulary of 3:
 *
 * <pre>
 *   seq 0, t 0: logits (0, 0, 0), target 1, counted: -log(1/3)                 = 1.0986123
 *   seq 0, t 1: logits (1, 2, 3), target 2, counted: log(e + e^2 + e^3) - 3     = 0.4076060
 *   seq 1, t 0: logits (2, 0, 0), target 0, counted: log(e^2 + 2) - 2           = 0.2395447
 *   seq 1, t 1: logits (-inf, 0, 0), target 0, masked: -inf log-probability, left out
 *   mean = (1.0986123 + 0.4076060 + 0.2395447) / 3                              = 0.5819210
 * </pre>
 */
class SftLossTest {
  private NDManager manager;
  private NDArray logits;
  private NDArray targets;
  private NDArray mask;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager(Device.cpu());
    float inf = Float.NEGATIVE_INFINITY;
    logits = manager.create(new float[] {0, 0, 0, 1, 2, 3, 2, 0, 0, inf, 0, 0}, new Shape(2, 2, 3));
    targets = manager.create(new long[] {1, 2, 0, 0}, new Shape(2, 2));
    mask = manager.create(new float[] {1, 1, 1, 0}, new Shape(2, 2));
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void tokenLossesAreTheTargetsNegativeLogProbabilitiesAndZeroWhereMasked() {
    NDArray losses = SftLoss.tokenLosses(logits, targets, mask);

    assertThat(losses.getShape()).isEqualTo(new Shape(2, 2));
    assertThat(losses.toFloatArray())
        .containsExactly(new float[] {1.0986123f, 0.4076060f, 0.2395447f, 0f}, within(1e-6f));
  }

  @Test
  void meanIsOverCountedTokensAndNoInfinityLeaks() {
    assertThat(SftLoss.mean(logits, targets, mask).getFloat()).isCloseTo(0.5819210f, within(1e-6f));
  }

  @Test
  void gradientIsSoftmaxMinusOneHotOverCountAndZeroWhereMasked() {
    logits.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      collector.backward(SftLoss.mean(logits, targets, mask));
    }
    float[] g = logits.getGradient().toFloatArray();

    // seq 0, t 0: ((1/3, 1/3, 1/3) - (0, 1, 0)) / 3.
    assertThat(new float[] {g[0], g[1], g[2]})
        .containsExactly(new float[] {1f / 9, -2f / 9, 1f / 9}, within(1e-6f));
    // seq 1, t 1 is masked: no gradient, and no NaN from its -inf.
    assertThat(new float[] {g[9], g[10], g[11]}).containsExactly(0f, 0f, 0f);
    for (float v : g) {
      assertThat(v).isFinite();
    }
  }

  @Test
  void nanLogitsAtAMaskedPositionDoNotReachTheLoss() {
    NDArray withNan = logits.duplicate();
    withNan.set(new ai.djl.ndarray.index.NDIndex("1, 1, 1"), Float.NaN);

    assertThat(SftLoss.mean(withNan, targets, mask).getFloat())
        .isCloseTo(0.5819210f, within(1e-6f));
  }

  @Test
  void nothingCountedGivesZero() {
    assertThat(SftLoss.mean(logits, targets, mask.zerosLike()).getFloat()).isEqualTo(0f);
  }
}
