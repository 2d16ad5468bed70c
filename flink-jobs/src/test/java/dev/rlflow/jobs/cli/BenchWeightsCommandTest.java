package dev.rlflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.CharTokenizer;
import dev.rlflow.model.transformer.TransformerModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlflow bench weights} on file:// into a temporary directory. */
class BenchWeightsCommandTest {

  @Test
  void measuresTheStoreAndRawIoOfTheSameBytesAndWritesTheJsonKeys(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("weights.json");
    Path target = Files.createDirectory(dir.resolve("target"));
    CliRun run =
        CliRun.of(
            "bench",
            "weights",
            "--preset",
            "tiny",
            "--dir",
            target.toUri().toString(),
            "--repetitions",
            "2",
            "--json",
            json.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("publish (weight store)", "load (weight store)", "ratio");

    JsonNode figures = new ObjectMapper().readTree(json.toFile());
    assertThat(figures.fieldNames())
        .toIterable()
        .contains(
            "bytes", "publish_seconds", "load_seconds", "raw_write_seconds", "raw_read_seconds");
    for (String key :
        new String[] {"publish_seconds", "load_seconds", "raw_write_seconds", "raw_read_seconds"}) {
      assertThat(figures.get(key).asDouble()).as(key).isPositive();
    }
    // The bytes of one policy version: four per float32 element of the tiny model's parameters.
    ModelConfig config = ModelConfig.Preset.of("tiny").config(new CharTokenizer().vocabSize());
    long elements = 0;
    try (TransformerModel model =
        TransformerModel.create(
            config, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 1)) {
      for (Shape shape : model.shapes().values()) {
        elements += shape.size();
      }
    }
    assertThat(figures.get("bytes").asLong()).isEqualTo(4 * elements);
    try (Stream<Path> left = Files.list(target)) {
      assertThat(left).as("the bench deletes what it wrote").isEmpty();
    }
  }
}
