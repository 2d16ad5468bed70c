package dev.rlflow.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.model.KvCache;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.ModelOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TransformerModelTest {
  /** Qwen2-shaped (q/k/v biases), grouped-query (4 heads, 2 kv heads), untied head. */
  static final ModelConfig SMALL_QWEN =
      new ModelConfig(
          PolicyConfig.Architecture.QWEN2, 11, 16, 2, 4, 2, 24, 32, 10_000, 1e-6, false);

  static final ModelConfig TINY_LLAMA =
      new ModelConfig(PolicyConfig.Architecture.LLAMA, 13, 16, 2, 4, 1, 20, 32, 10_000, 1e-5, true);

  @Test
  void parametersHaveHuggingFaceNamesAndTheCountTheConfigPredicts() {
    try (TransformerModel model =
        TransformerModel.create(
            SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 1)) {
      Map<String, Shape> shapes = model.shapes();
      assertThat(shapes)
          .containsEntry("model.embed_tokens.weight", new Shape(11, 16))
          .containsEntry("model.layers.1.self_attn.q_proj.weight", new Shape(16, 16))
          .containsEntry("model.layers.1.self_attn.k_proj.weight", new Shape(8, 16))
          .containsEntry("model.layers.1.self_attn.k_proj.bias", new Shape(8))
          .containsEntry("model.layers.0.mlp.down_proj.weight", new Shape(16, 24))
          .containsEntry("model.layers.0.post_attention_layernorm.weight", new Shape(16))
          .containsEntry("model.norm.weight", new Shape(16))
          .containsEntry("lm_head.weight", new Shape(11, 16));
      assertThat(model.parameterCount()).isEqualTo(SMALL_QWEN.parameterCount());
    }
    try (TransformerModel tied =
            TransformerModel.create(
                TINY_LLAMA, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 1);
        TransformerModel critic =
            TransformerModel.create(
                TINY_LLAMA, TransformerModel.Head.VALUE, DataType.FLOAT32, Device.cpu(), 1)) {
      assertThat(tied.shapes()).doesNotContainKey("lm_head.weight");
      assertThat(tied.parameterCount()).isEqualTo(TINY_LLAMA.parameterCount());
      assertThat(critic.shapes())
          .containsEntry("value_head.weight", new Shape(1, 16))
          .containsEntry("value_head.bias", new Shape(1));
    }
  }

  @Test
  void sameSeedSameWeightsAndOutputs() {
    try (TransformerModel a =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 7);
        TransformerModel b =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 7);
        TransformerModel c =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 8)) {
      NDArray wa = a.weights().get("model.layers.0.self_attn.q_proj.weight");
      assertThat(wa.toFloatArray())
          .containsExactly(
              b.weights().get("model.layers.0.self_attn.q_proj.weight").toFloatArray());
      assertThat(wa.toFloatArray())
          .isNotEqualTo(c.weights().get("model.layers.0.self_attn.q_proj.weight").toFloatArray());
      assertThat(a.weights().get("model.norm.weight").toFloatArray()).containsOnly(1f);
    }
  }

  @Test
  void headsGiveTheirShapes() {
    for (TransformerModel.Head head : TransformerModel.Head.values()) {
      try (TransformerModel model =
              TransformerModel.create(TINY_LLAMA, head, DataType.FLOAT32, Device.cpu(), 3);
          NDManager step = model.manager().newSubManager()) {
        NDArray tokens = step.create(new long[][] {{1, 2, 3}, {4, 5, 6}});
        ModelOutput out =
            model.forward(
                ModelInput.of(tokens, step.ones(new Shape(2, 3)), DataType.FLOAT32), null, false);
        Shape expected =
            switch (head) {
              case LM -> new Shape(2, 3, 13);
              case VALUE -> new Shape(2, 3);
              case STEP_SCORE -> new Shape(2, 3, 2);
            };
        assertThat(out.output().getShape()).isEqualTo(expected);
        assertThat(out.cache().length()).isEqualTo(3);
        assertThat(out.cache().keys().get(0).getShape()).isEqualTo(new Shape(2, 1, 3, 4));
      }
    }
  }

  @Test
  void cachedIncrementalForwardEqualsTheFullForward() {
    try (TransformerModel model =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 5);
        NDManager step = model.manager().newSubManager()) {
      long[][] ids = {{1, 4, 2, 7, 3, 9}, {5, 5, 6, 1, 0, 2}};
      NDArray tokens = step.create(ids);
      NDArray full =
          model
              .forward(
                  ModelInput.of(tokens, step.ones(new Shape(2, 6)), DataType.FLOAT32), null, false)
              .output();
      // Prefix of 3, then one token at a time.
      KvCache cache =
          model
              .forward(
                  ModelInput.of(tokens.get(":, :3"), step.ones(new Shape(2, 3)), DataType.FLOAT32),
                  null,
                  false)
              .cache();
      for (int t = 3; t < 6; t++) {
        ModelOutput out =
            model.forward(
                ModelInput.of(
                    tokens.get(new NDIndex(":, {}:{}", t, t + 1)),
                    step.ones(new Shape(2, t + 1)),
                    DataType.FLOAT32),
                cache,
                false);
        cache = out.cache();
        float diff =
            out.output().sub(full.get(new NDIndex(":, {}:{}", t, t + 1))).abs().max().getFloat();
        assertThat(diff).as("position %d", t).isLessThan(1e-5f);
      }
    }
  }

  /** The GPU default precision; on CPU too, so the FP16 path is exercised without a GPU. */
  @Test
  void fp16ForwardAgreesWithFp32() {
    try (TransformerModel fp32 =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 5);
        TransformerModel fp16 =
            TransformerModel.of(
                SMALL_QWEN,
                TransformerModel.Head.LM,
                DataType.FLOAT16,
                Device.cpu(),
                fp32.weights(),
                false);
        NDManager step = fp32.manager().newSubManager()) {
      NDArray tokens = step.create(new long[][] {{0, 3, 1, 4, 1}, {5, 9, 2, 6, 5}});
      NDArray valid = step.create(new float[][] {{0, 1, 1, 1, 1}, {1, 1, 1, 1, 1}});
      NDArray full =
          fp32.forward(ModelInput.of(tokens, valid, DataType.FLOAT32), null, false).output();
      NDArray half =
          fp16.forward(ModelInput.of(tokens, valid, DataType.FLOAT16), null, false).output();
      assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
      NDArray diff = half.toType(DataType.FLOAT32, false).sub(full).abs().get("0:1, 1:");
      assertThat(diff.max().getFloat()).isLessThan(2e-2f);
      assertThat(
              half.toType(DataType.FLOAT32, false)
                  .get("1:2")
                  .sub(full.get("1:2"))
                  .abs()
                  .max()
                  .getFloat())
          .isLessThan(2e-2f);
    }
  }

  @Test
  void leftPaddingDoesNotChangeTheLogitsOfRealTokens() {
    try (TransformerModel model =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 5);
        NDManager step = model.manager().newSubManager()) {
      NDArray alone =
          model
              .forward(
                  ModelInput.of(
                      step.create(new long[][] {{3, 1, 4}}),
                      step.ones(new Shape(1, 3)),
                      DataType.FLOAT32),
                  null,
                  false)
              .output();
      NDArray padded =
          model
              .forward(
                  ModelInput.of(
                      step.create(new long[][] {{0, 0, 3, 1, 4}, {3, 1, 4, 0, 0}}),
                      step.create(new float[][] {{0, 0, 1, 1, 1}, {1, 1, 1, 0, 0}}),
                      DataType.FLOAT32),
                  null,
                  false)
              .output();
      NDArray left = padded.get("0:1, 2:");
      NDArray right = padded.get("1:2, :3");
      assertThat(left.sub(alone).abs().max().getFloat()).isLessThan(1e-5f);
      assertThat(right.sub(alone).abs().max().getFloat()).isLessThan(1e-5f);
    }
  }

  /**
   * Gradients of attention (with RoPE and GQA), RMSNorm, the MLP, the embedding and the head
   * against central finite differences, in float64 on a tiny model.
   */
  @Test
  void gradientsMatchFiniteDifferences() {
    try (TransformerModel model =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT64, Device.cpu(), 11);
        NDManager step = model.manager().newSubManager()) {
      // Non-trivial norm gains and biases, so their gradients are exercised away from init.
      SplittableRandom random = new SplittableRandom(3);
      for (Map.Entry<String, NDArray> w : model.weights().entrySet()) {
        if (w.getKey().endsWith("layernorm.weight") || w.getKey().endsWith(".bias")) {
          NDArray noise =
              step.randomNormal(w.getValue().getShape()).toType(DataType.FLOAT64, false);
          w.getValue().set(new NDIndex("..."), w.getValue().add(noise.mul(0.3)));
        }
      }
      NDArray tokens = step.create(new long[][] {{1, 4, 2, 7, 3}, {5, 6, 1, 0, 2}});
      NDArray valid = step.create(new float[][] {{1, 1, 1, 1, 1}, {0, 1, 1, 1, 1}});
      // Outputs at padding positions are ignored by every loss (and attend to nothing, so their
      // scores sit at -1e9 where float64 cannot resolve a finite-difference step): weight them 0.
      NDArray probe =
          step.randomNormal(new Shape(2, 5, 11))
              .toType(DataType.FLOAT64, false)
              .mul(valid.toType(DataType.FLOAT64, false).expandDims(-1));
      ModelInput input = ModelInput.of(tokens, valid, DataType.FLOAT64);

      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(loss(model, input, probe));
      }
      List<String> checked =
          List.of(
              "model.embed_tokens.weight",
              "model.layers.0.input_layernorm.weight",
              "model.layers.0.self_attn.q_proj.weight",
              "model.layers.0.self_attn.k_proj.weight",
              "model.layers.0.self_attn.k_proj.bias",
              "model.layers.1.self_attn.q_proj.weight",
              "model.layers.1.self_attn.v_proj.weight",
              "model.layers.1.self_attn.o_proj.weight",
              "model.layers.1.post_attention_layernorm.weight",
              "model.layers.1.mlp.gate_proj.weight",
              "model.norm.weight",
              "lm_head.weight");
      List<String> failures = new ArrayList<>();
      for (String name : checked) {
        NDArray weight = model.weights().get(name);
        double[] analytic = weight.getGradient().toDoubleArray();
        NDArray flat = weight.reshape(-1);
        for (int probeIndex = 0; probeIndex < 4; probeIndex++) {
          int i = random.nextInt(analytic.length);
          double original = flat.getDouble(i);
          double h = 1e-6;
          flat.setScalar(new NDIndex(i), original + h);
          double plus = loss(model, input, probe).getDouble();
          flat.setScalar(new NDIndex(i), original - h);
          double minus = loss(model, input, probe).getDouble();
          flat.setScalar(new NDIndex(i), original);
          double numeric = (plus - minus) / (2 * h);
          double error = Math.abs(numeric - analytic[i]) / Math.max(1e-4, Math.abs(numeric));
          if (error > 1e-5) {
            failures.add(name + "[" + i + "] analytic " + analytic[i] + " numeric " + numeric);
          }
        }
      }
      assertThat(failures).isEmpty();
    }
  }

  private static NDArray loss(TransformerModel model, ModelInput input, NDArray probe) {
    return model.forward(input, null, true).output().mul(probe).sum();
  }

  @Test
  void weightsRoundTripThroughTheNameMapAndCopyIntoAnotherHead() {
    try (TransformerModel policy =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 21);
        TransformerModel copy =
            TransformerModel.of(
                SMALL_QWEN,
                TransformerModel.Head.LM,
                DataType.FLOAT32,
                Device.cpu(),
                policy.weights(),
                false);
        TransformerModel critic =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.VALUE, DataType.FLOAT32, Device.cpu(), 22)) {
      for (Map.Entry<String, NDArray> w : policy.weights().entrySet()) {
        assertThat(copy.weights().get(w.getKey()).toFloatArray())
            .containsExactly(w.getValue().toFloatArray());
      }
      int copied = critic.copyWeightsFrom(policy.weights());
      assertThat(copied).isEqualTo(policy.weights().size() - 1); // all but lm_head
      assertThat(critic.weights().get("model.layers.1.mlp.up_proj.weight").toFloatArray())
          .containsExactly(
              policy.weights().get("model.layers.1.mlp.up_proj.weight").toFloatArray());
      assertThatThrownBy(
              () ->
                  TransformerModel.of(
                      TINY_LLAMA,
                      TransformerModel.Head.LM,
                      DataType.FLOAT32,
                      Device.cpu(),
                      policy.weights(),
                      true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("model.embed_tokens.weight");
    }
  }
}
