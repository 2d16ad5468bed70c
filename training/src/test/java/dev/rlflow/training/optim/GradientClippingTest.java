package dev.rlflow.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gradients (3, 4) and ((12)) have the global norm sqrt(9 + 16 + 144) = 13. */
class GradientClippingTest {
  private NDManager manager;
  private NDArray a;
  private NDArray b;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager(Device.cpu());
    a = manager.create(new float[] {3f, 4f});
    b = manager.create(new float[] {12f}, new Shape(1, 1));
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void scalesAllGradientsByOneFactorAboveTheMaximum() {
    double norm = GradientClipping.clipByGlobalNorm(List.of(a, b), 6.5);

    assertThat(norm).isCloseTo(13.0, within(1e-9));
    // Factor 6.5 / 13 = 0.5.
    assertThat(a.toFloatArray()).containsExactly(new float[] {1.5f, 2f}, within(1e-6f));
    assertThat(b.toFloatArray()).containsExactly(new float[] {6f}, within(1e-6f));
    assertThat(GradientClipping.clipByGlobalNorm(List.of(a, b), Double.POSITIVE_INFINITY))
        .isCloseTo(6.5, within(1e-6));
  }

  @Test
  void leavesGradientsBelowOrAtTheMaximumUnchanged() {
    assertThat(GradientClipping.clipByGlobalNorm(List.of(a, b), 13.0))
        .isCloseTo(13.0, within(1e-9));

    assertThat(a.toFloatArray()).containsExactly(3f, 4f);
    assertThat(b.toFloatArray()).containsExactly(12f);
  }

  @Test
  void halfPrecisionGradientsAreSummedInFloat32() {
    // 300^2 * 4 = 360000 overflows FP16 (max 65504); the norm is 600.
    NDArray half = manager.full(new Shape(4), 300f).toType(DataType.FLOAT16, false);

    double norm = GradientClipping.clipByGlobalNorm(List.of(half), 60);

    assertThat(norm).isCloseTo(600.0, within(1e-6));
    assertThat(half.toType(DataType.FLOAT32, false).toFloatArray())
        .containsExactly(new float[] {30f, 30f, 30f, 30f}, within(1e-2f));
  }

  @Test
  void nonFiniteNormIsReturnedAndNothingIsScaled() {
    NDArray bad = manager.create(new float[] {Float.POSITIVE_INFINITY, 1f});

    assertThat(GradientClipping.clipByGlobalNorm(List.of(a, bad), 1.0)).isInfinite();
    assertThat(a.toFloatArray()).containsExactly(3f, 4f);

    bad.set(new ai.djl.ndarray.index.NDIndex("0"), Float.NaN);
    assertThat(GradientClipping.clipByGlobalNorm(List.of(a, bad), 1.0)).isNaN();
    assertThat(a.toFloatArray()).containsExactly(3f, 4f);
  }

  @Test
  void rejectsNonPositiveMaximum() {
    assertThatThrownBy(() -> GradientClipping.clipByGlobalNorm(List.of(a), 0))
        .hasMessage("Invalid value 0.0 for maxNorm: must be > 0");
  }
}
