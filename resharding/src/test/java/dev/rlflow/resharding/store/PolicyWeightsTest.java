package dev.rlflow.resharding.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.transformer.TransformerModel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyWeightsTest {
  /** Qwen2-shaped (q/k/v biases), grouped-query (4 heads, 2 kv heads), untied head. */
  private static final ModelConfig SMALL_QWEN =
      new ModelConfig(
          PolicyConfig.Architecture.QWEN2, 11, 16, 2, 4, 2, 24, 32, 10_000, 1e-6, false);

  private static final Duration LONG = Duration.ofSeconds(30);

  private static TransformerModel model(ModelConfig config, DataType dtype, long seed) {
    return TransformerModel.create(config, TransformerModel.Head.LM, dtype, Device.cpu(), seed);
  }

  /** Logits (B, T, V) as FP32 values, for a fixed batch with left padding. */
  private static float[] logits(TransformerModel model) {
    try (NDManager step = model.manager().newSubManager()) {
      NDArray tokens = step.create(new long[][] {{0, 3, 1, 4, 1}, {5, 9, 2, 6, 5}});
      NDArray valid = step.create(new float[][] {{0, 1, 1, 1, 1}, {1, 1, 1, 1, 1}});
      return model
          .forward(ModelInput.of(tokens, valid, model.dtype()), null, false)
          .output()
          .toType(DataType.FLOAT32, false)
          .toFloatArray();
    }
  }

  @Test
  void applyingToAModelOfTheSameLayoutCopiesInPlaceAndGivesIdenticalOutputs() throws Exception {
    try (TransformerModel trainer = model(SMALL_QWEN, DataType.FLOAT32, 1);
        TransformerModel generator = model(SMALL_QWEN, DataType.FLOAT32, 2);
        InMemoryWeightStore store = new InMemoryWeightStore(2, Device.cpu())) {
      float[] expected = logits(trainer);
      assertThat(logits(generator)).isNotEqualTo(expected);
      Map<String, NDArray> generatorArrays = generator.weights();
      store.publish(0, trainer.weights());

      try (WeightLease lease = store.await(0, LONG)) {
        assertThat(lease.weights().applyTo(generator)).isEqualTo(HandOver.IN_PLACE);
      }

      assertThat(logits(generator)).containsExactly(expected);
      // In place: the generator kept its own arrays (and owns them after the lease closed).
      generator.weights().forEach((name, a) -> assertThat(a).isSameAs(generatorArrays.get(name)));
    }
  }

  @Test
  void applyingToAModelOfAnotherDtypeConvertsAndMatchesAModelBuiltFromTheSameWeights()
      throws Exception {
    try (TransformerModel trainer = model(SMALL_QWEN, DataType.FLOAT32, 1);
        TransformerModel generator = model(SMALL_QWEN, DataType.FLOAT16, 2);
        TransformerModel reference =
            TransformerModel.of(
                SMALL_QWEN,
                TransformerModel.Head.LM,
                DataType.FLOAT16,
                Device.cpu(),
                trainer.weights(),
                false);
        InMemoryWeightStore store = new InMemoryWeightStore(1, Device.cpu())) {
      store.publish(0, trainer.weights());
      try (WeightLease lease = store.await(0, LONG)) {
        assertThat(lease.weights().applyTo(generator)).isEqualTo(HandOver.CONVERTED);
      }
      assertThat(generator.weights().values()).allMatch(a -> a.getDataType() == DataType.FLOAT16);
      assertThat(logits(generator)).containsExactly(logits(reference));
    }
  }

  @Test
  void aLayoutMismatchNamesTheFirstMismatchingParameterAndLeavesTheModelUnchanged()
      throws Exception {
    ModelConfig widerMlp =
        new ModelConfig(
            PolicyConfig.Architecture.QWEN2, 11, 16, 2, 4, 2, 32, 32, 10_000, 1e-6, false);
    try (TransformerModel trainer = model(SMALL_QWEN, DataType.FLOAT32, 1);
        TransformerModel other = model(widerMlp, DataType.FLOAT32, 2);
        TransformerModel critic =
            TransformerModel.create(
                SMALL_QWEN, TransformerModel.Head.VALUE, DataType.FLOAT32, Device.cpu(), 3);
        InMemoryWeightStore store = new InMemoryWeightStore(1, Device.cpu())) {
      float[] before = logits(other);
      store.publish(0, trainer.weights());
      try (WeightLease lease = store.await(0, LONG)) {
        PolicyWeights snapshot = lease.weights();
        assertThatThrownBy(() -> snapshot.applyTo(other))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "Cannot apply policy version 0 to the model: first mismatching parameter"
                    + " model.layers.0.mlp.gate_proj.weight is (24, 16) float32 in the snapshot,"
                    + " (32, 16) float32 in the model");
        assertThatThrownBy(() -> snapshot.applyTo(critic))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "Cannot apply policy version 0 to the model: first mismatching parameter"
                    + " lm_head.weight is (11, 16) float32 in the snapshot, absent in the model");
      }
      assertThat(logits(other)).containsExactly(before);
    }
  }

  @Test
  void layoutsCompareNamesShapesAndDtypes() {
    WeightLayout a =
        new WeightLayout(
            Map.of(
                "x", new WeightLayout.Tensor(new Shape(2, 3), DataType.FLOAT32),
                "y", new WeightLayout.Tensor(new Shape(3), DataType.FLOAT32)));
    WeightLayout half =
        new WeightLayout(
            Map.of(
                "x", new WeightLayout.Tensor(new Shape(2, 3), DataType.FLOAT16),
                "y", new WeightLayout.Tensor(new Shape(3), DataType.FLOAT16)));
    WeightLayout extra =
        new WeightLayout(
            Map.of(
                "x", new WeightLayout.Tensor(new Shape(2, 3), DataType.FLOAT32),
                "y", new WeightLayout.Tensor(new Shape(3), DataType.FLOAT32),
                "z", new WeightLayout.Tensor(new Shape(1), DataType.FLOAT32)));
    assertThat(a.firstMismatch(a)).isEmpty();
    assertThat(a.firstMismatch(half)).isPresent();
    assertThat(a.firstShapeMismatch(half)).isEmpty();
    assertThat(a.firstShapeMismatch(extra)).hasValue("z");
    assertThat(extra.firstShapeMismatch(a)).hasValue("z");
    assertThat(a.describe("x")).isEqualTo("(2, 3) float32");
    assertThat(a.describe("z")).isEqualTo("absent");
    assertThatThrownBy(() -> new WeightLayout(Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
