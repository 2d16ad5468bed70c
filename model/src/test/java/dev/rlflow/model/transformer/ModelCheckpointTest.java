package dev.rlflow.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.checkpoint.CorruptCheckpointException;
import dev.rlflow.model.checkpoint.HfLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCheckpointTest {
  private static final ComputeTarget CPU = new ComputeTarget(Device.cpu(), DataType.FLOAT32);

  @Test
  void parameterNamesAreTheHuggingFaceLayout() {
    for (ModelConfig config :
        new ModelConfig[] {TransformerModelTest.SMALL_QWEN, TransformerModelTest.TINY_LLAMA}) {
      try (TransformerModel lm = create(config, TransformerModel.Head.LM, 1);
          TransformerModel critic = create(config, TransformerModel.Head.VALUE, 1);
          TransformerModel prm = create(config, TransformerModel.Head.STEP_SCORE, 1)) {
        assertThat(lm.shapes()).isEqualTo(HfLayout.expectedShapes(config));
        Map<String, Shape> withValue = backbone(config);
        withValue.putAll(HfLayout.valueHeadShapes(config));
        assertThat(critic.shapes()).isEqualTo(withValue);
        Map<String, Shape> withScore = backbone(config);
        withScore.putAll(HfLayout.stepScoreHeadShapes(config));
        assertThat(prm.shapes()).isEqualTo(withScore);
      }
    }
  }

  private static Map<String, Shape> backbone(ModelConfig config) {
    Map<String, Shape> shapes = new LinkedHashMap<>(HfLayout.expectedShapes(config));
    shapes.remove(HfLayout.LM_HEAD);
    return shapes;
  }

  @Test
  void saveThenLoadIsBitExact(@TempDir Path dir) throws IOException {
    Path checkpoint = dir.resolve("policy");
    try (TransformerModel model =
        create(TransformerModelTest.SMALL_QWEN, TransformerModel.Head.LM, 3)) {
      ModelCheckpoint.save(model, checkpoint, 4096); // small shards: exercises the index
      assertThat(Files.exists(checkpoint.resolve("model.safetensors.index.json"))).isTrue();
      try (TransformerModel loaded =
              ModelCheckpoint.load(checkpoint, TransformerModel.Head.LM, CPU, 99);
          NDManager step = model.manager().newSubManager()) {
        assertThat(loaded.config()).isEqualTo(model.config());
        for (Map.Entry<String, NDArray> w : model.weights().entrySet()) {
          assertThat(loaded.weights().get(w.getKey()).toFloatArray())
              .as(w.getKey())
              .containsExactly(w.getValue().toFloatArray());
        }
        ModelInput input =
            ModelInput.of(
                step.create(new long[][] {{1, 2, 3}}),
                step.ones(new Shape(1, 3)),
                DataType.FLOAT32);
        assertThat(loaded.forward(input, null, false).output().toFloatArray())
            .containsExactly(model.forward(input, null, false).output().toFloatArray());
      }
    }
  }

  @Test
  void aCriticStartsFromAPolicyCheckpointWithAFreshHead(@TempDir Path dir) throws IOException {
    Path checkpoint = dir.resolve("policy");
    try (TransformerModel policy =
        create(TransformerModelTest.TINY_LLAMA, TransformerModel.Head.LM, 4)) {
      ModelCheckpoint.save(policy, checkpoint, Long.MAX_VALUE);
      try (TransformerModel critic =
          ModelCheckpoint.load(checkpoint, TransformerModel.Head.VALUE, CPU, 5)) {
        assertThat(critic.weights().get("model.layers.1.mlp.gate_proj.weight").toFloatArray())
            .containsExactly(
                policy.weights().get("model.layers.1.mlp.gate_proj.weight").toFloatArray());
        assertThat(critic.weights().get("value_head.bias").toFloatArray()).containsExactly(0f);
        // a zero head values every state 0 until the critic learns: no random values for GAE
        // to turn into advantages (ALGORITHMS.md §3)
        assertThat(critic.weights().get("value_head.weight").toFloatArray()).containsOnly(0f);
      }
    }
  }

  @Test
  void aDamagedCheckpointIsACorruptCheckpointException(@TempDir Path dir) throws IOException {
    Path checkpoint = dir.resolve("policy");
    try (TransformerModel policy =
        create(TransformerModelTest.TINY_LLAMA, TransformerModel.Head.LM, 4)) {
      ModelCheckpoint.save(policy, checkpoint, Long.MAX_VALUE);
    }
    Path weights = checkpoint.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    assertThatThrownBy(() -> ModelCheckpoint.load(checkpoint, TransformerModel.Head.LM, CPU, 1))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessageContaining("model.safetensors");
  }

  private static TransformerModel create(
      ModelConfig config, TransformerModel.Head head, long seed) {
    return TransformerModel.create(config, head, DataType.FLOAT32, Device.cpu(), seed);
  }
}
