package dev.rlflow.training.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AdamW against hand-computed updates: beta1 0.9, beta2 0.95, eps 1e-8, weight decay 0.1, lr 0.01,
 * parameters (1, -2, 0.5), gradients (0.5, -1, 0) then (0.25, 2, 0).
 */
class AdamWTest {
  private static final double LR = 0.01;

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager(Device.cpu());
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void firstStepMovesEachParameterByLrTimesSignPlusDecay() {
    try (AdamW adamW = new AdamW(manager, AdamW.Hyperparameters.defaults())) {
      NDArray w = manager.create(new float[] {1f, -2f, 0.5f});
      adamW.step(Map.of("w", w), Map.of("w", manager.create(new float[] {0.5f, -1f, 0f})), LR);

      // t = 1: m_hat = g, v_hat = g^2, so m_hat / (sqrt(v_hat) + eps) = sign(g) (0 for g = 0).
      // 1 - 0.01 * (1 + 0.1 * 1) = 0.989; -2 - 0.01 * (-1 + 0.1 * -2) = -1.988;
      // 0.5 - 0.01 * (0 + 0.1 * 0.5) = 0.4995.
      assertThat(w.toFloatArray())
          .containsExactly(new float[] {0.989f, -1.988f, 0.4995f}, within(1e-6f));
      assertThat(adamW.steps()).isEqualTo(1);
    }
  }

  @Test
  void secondStepUsesBiasCorrectedMoments() {
    try (AdamW adamW = new AdamW(manager, AdamW.Hyperparameters.defaults())) {
      NDArray w = manager.create(new float[] {1f, -2f, 0.5f});
      adamW.step(Map.of("w", w), Map.of("w", manager.create(new float[] {0.5f, -1f, 0f})), LR);
      adamW.step(Map.of("w", w), Map.of("w", manager.create(new float[] {0.25f, 2f, 0f})), LR);

      // Element 0: m = 0.9 * 0.05 + 0.1 * 0.25 = 0.07, v = 0.95 * 0.0125 + 0.05 * 0.0625 = 0.015;
      // m_hat = 0.07 / (1 - 0.81) = 0.368421, v_hat = 0.015 / (1 - 0.9025) = 0.153846;
      // 0.989 - 0.01 * (0.368421 / 0.392232 + 0.1 * 0.989) = 0.978618.
      // Element 1: m = 0.11, v = 0.2475: -1.988 - 0.01 * (0.578947 / 1.593255 - 0.1988) =
      // -1.989646.
      // Element 2: decay only: 0.4995 * (1 - 0.001) = 0.4990005.
      assertThat(w.toFloatArray())
          .containsExactly(new float[] {0.978618070f, -1.989645740f, 0.4990005f}, within(1e-6f));
      Map<String, NDArray> state = adamW.state();
      assertThat(state).containsOnlyKeys("w.exp_avg", "w.exp_avg_sq");
      assertThat(state.get("w.exp_avg").toFloatArray())
          .containsExactly(new float[] {0.07f, 0.11f, 0f}, within(1e-7f));
      assertThat(state.get("w.exp_avg_sq").toFloatArray())
          .containsExactly(new float[] {0.015f, 0.2475f, 0f}, within(1e-7f));
    }
  }

  @Test
  void normScalesAndBiasesAreNotDecayed() {
    assertThat(AdamW.decayedByDefault("model.layers.0.self_attn.q_proj.weight")).isTrue();
    assertThat(AdamW.decayedByDefault("model.embed_tokens.weight")).isTrue();
    assertThat(AdamW.decayedByDefault("model.layers.3.input_layernorm.weight")).isFalse();
    assertThat(AdamW.decayedByDefault("model.norm.weight")).isFalse();
    assertThat(AdamW.decayedByDefault("model.layers.0.self_attn.q_proj.bias")).isFalse();

    try (AdamW adamW = new AdamW(manager, AdamW.Hyperparameters.defaults())) {
      NDArray w = manager.create(new float[] {1f, -2f, 0.5f});
      String name = "model.norm.weight";
      adamW.step(Map.of(name, w), Map.of(name, manager.create(new float[] {0.5f, -1f, 0f})), LR);
      adamW.step(Map.of(name, w), Map.of(name, manager.create(new float[] {0.25f, 2f, 0f})), LR);

      // As above without the decay term: 1 - 0.01 - 0.01 * 0.939297 = 0.980607, -1.993634, 0.5.
      assertThat(w.toFloatArray())
          .containsExactly(new float[] {0.980607070f, -1.993633740f, 0.5f}, within(1e-6f));
    }
  }

  @Test
  void customPredicateDecidesDecay() {
    try (AdamW adamW = new AdamW(manager, AdamW.Hyperparameters.defaults(), name -> false)) {
      NDArray w = manager.create(new float[] {1f});
      adamW.step(Map.of("w", w), Map.of("w", manager.create(new float[] {0.5f})), LR);

      assertThat(w.getFloat(0)).isCloseTo(0.99f, within(1e-6f));
    }
  }

  @Test
  void loadedStateContinuesExactlyAsTheOriginal() {
    try (AdamW original = new AdamW(manager, AdamW.Hyperparameters.defaults());
        AdamW restored = new AdamW(manager, AdamW.Hyperparameters.defaults())) {
      NDArray a = manager.create(new float[] {1f, -2f, 0.5f});
      original.step(Map.of("w", a), Map.of("w", manager.create(new float[] {0.5f, -1f, 0f})), LR);
      NDArray b = a.duplicate();
      Map<String, NDArray> saved = new LinkedHashMap<>();
      original.state().forEach((k, v) -> saved.put(k, v.duplicate()));
      restored.loadState(saved, original.steps());
      saved.values().forEach(NDArray::close);

      NDArray g = manager.create(new float[] {0.25f, 2f, 0f});
      original.step(Map.of("w", a), Map.of("w", g), LR);
      restored.step(Map.of("w", b), Map.of("w", g), LR);

      assertThat(restored.steps()).isEqualTo(2);
      assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
    }
  }

  @Test
  void rejectsStateWithOneMomentOrAnUnknownName() {
    try (AdamW adamW = new AdamW(manager, AdamW.Hyperparameters.defaults())) {
      NDArray m = manager.zeros(new ai.djl.ndarray.types.Shape(2));
      assertThatThrownBy(() -> adamW.loadState(Map.of("w.exp_avg", m), 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("both moments");
      assertThatThrownBy(() -> adamW.loadState(Map.of("w.momentum", m), 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("w.momentum");
    }
  }

  @Test
  void rejectsMissingGradientAndBadHyperparameters() {
    try (AdamW adamW = new AdamW(manager, AdamW.Hyperparameters.defaults())) {
      NDArray w = manager.create(new float[] {1f});
      assertThatThrownBy(() -> adamW.step(Map.of("w", w), Map.of(), LR))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("No gradient for parameter w");
    }
    assertThatThrownBy(() -> new AdamW.Hyperparameters(0.9, 1.0, 1e-8, 0))
        .hasMessage("Invalid value 1.0 for beta2: must be in [0, 1)");
    assertThatThrownBy(() -> new AdamW.Hyperparameters(0.9, 0.95, 1e-8, -0.1))
        .hasMessage("Invalid value -0.1 for weightDecay: must be >= 0 and finite");
  }
}
