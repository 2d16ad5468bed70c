package dev.rlflow.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import ai.djl.ndarray.types.Shape;
import dev.rlflow.core.config.PolicyConfig.Architecture;
import dev.rlflow.model.ModelConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HfLayoutTest {

  /** vocab 16, C 8, 2 layers, H 2, G 1 (D 4), I 12. */
  static ModelConfig config(Architecture architecture, boolean tied) {
    return new ModelConfig(architecture, 16, 8, 2, 2, 1, 12, 32, 10_000.0, 1e-5, tied);
  }

  @Test
  void llamaUntiedHasTheHuggingFaceNamesAndShapesInModelOrder() {
    Map<String, Shape> shapes = HfLayout.expectedShapes(config(Architecture.LLAMA, false));

    assertThat(shapes)
        .containsExactly(
            entry("model.embed_tokens.weight", new Shape(16, 8)),
            entry("model.layers.0.input_layernorm.weight", new Shape(8)),
            entry("model.layers.0.self_attn.q_proj.weight", new Shape(8, 8)),
            entry("model.layers.0.self_attn.k_proj.weight", new Shape(4, 8)),
            entry("model.layers.0.self_attn.v_proj.weight", new Shape(4, 8)),
            entry("model.layers.0.self_attn.o_proj.weight", new Shape(8, 8)),
            entry("model.layers.0.post_attention_layernorm.weight", new Shape(8)),
            entry("model.layers.0.mlp.gate_proj.weight", new Shape(12, 8)),
            entry("model.layers.0.mlp.up_proj.weight", new Shape(12, 8)),
            entry("model.layers.0.mlp.down_proj.weight", new Shape(8, 12)),
            entry("model.layers.1.input_layernorm.weight", new Shape(8)),
            entry("model.layers.1.self_attn.q_proj.weight", new Shape(8, 8)),
            entry("model.layers.1.self_attn.k_proj.weight", new Shape(4, 8)),
            entry("model.layers.1.self_attn.v_proj.weight", new Shape(4, 8)),
            entry("model.layers.1.self_attn.o_proj.weight", new Shape(8, 8)),
            entry("model.layers.1.post_attention_layernorm.weight", new Shape(8)),
            entry("model.layers.1.mlp.gate_proj.weight", new Shape(12, 8)),
            entry("model.layers.1.mlp.up_proj.weight", new Shape(12, 8)),
            entry("model.layers.1.mlp.down_proj.weight", new Shape(8, 12)),
            entry("model.norm.weight", new Shape(8)),
            entry("lm_head.weight", new Shape(16, 8)));
  }

  @Test
  void qwen2AddsQkvBiasesAndTyingDropsTheLmHead() {
    Map<String, Shape> shapes = HfLayout.expectedShapes(config(Architecture.QWEN2, true));

    assertThat(shapes)
        .hasSize(1 + 2 * 12 + 1)
        .containsEntry("model.layers.1.self_attn.q_proj.bias", new Shape(8))
        .containsEntry("model.layers.1.self_attn.k_proj.bias", new Shape(4))
        .containsEntry("model.layers.1.self_attn.v_proj.bias", new Shape(4))
        .doesNotContainKey("lm_head.weight");
    assertThat(shapes.keySet())
        .containsSequence(
            "model.layers.0.self_attn.q_proj.weight",
            "model.layers.0.self_attn.q_proj.bias",
            "model.layers.0.self_attn.k_proj.weight",
            "model.layers.0.self_attn.k_proj.bias",
            "model.layers.0.self_attn.v_proj.weight",
            "model.layers.0.self_attn.v_proj.bias");
  }

  @Test
  void elementCountsAddUpToTheConfigsParameterCount() {
    for (Architecture architecture : Architecture.values()) {
      for (boolean tied : new boolean[] {true, false}) {
        ModelConfig config = config(architecture, tied);
        long elements =
            HfLayout.expectedShapes(config).values().stream().mapToLong(Shape::size).sum();
        assertThat(elements)
            .as("%s tied=%s", architecture, tied)
            .isEqualTo(config.parameterCount());
      }
    }
    ModelConfig tiny = ModelConfig.Preset.TINY.config(100);
    assertThat(HfLayout.expectedShapes(tiny).values().stream().mapToLong(Shape::size).sum())
        .isEqualTo(tiny.parameterCount());
  }

  @Test
  void headShapes() {
    ModelConfig config = config(Architecture.LLAMA, true);

    assertThat(HfLayout.valueHeadShapes(config))
        .containsExactly(
            entry("value_head.weight", new Shape(1, 8)), entry("value_head.bias", new Shape(1)));
    assertThat(HfLayout.stepScoreHeadShapes(config))
        .containsExactly(entry("score.weight", new Shape(2, 8)), entry("score.bias", new Shape(2)));
  }

  @Test
  void layerParametersNameTheirBlock() {
    assertThat(HfLayout.LayerParameter.O_PROJ_WEIGHT.nameIn(11))
        .isEqualTo("model.layers.11.self_attn.o_proj.weight");
    assertThat(HfLayout.LayerParameter.K_PROJ_BIAS.presentIn(config(Architecture.LLAMA, true)))
        .isFalse();
    assertThat(HfLayout.LayerParameter.K_PROJ_BIAS.presentIn(config(Architecture.QWEN2, true)))
        .isTrue();
  }
}
