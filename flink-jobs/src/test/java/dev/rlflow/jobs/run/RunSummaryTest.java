package dev.rlflow.jobs.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSummaryTest {
  @TempDir java.nio.file.Path dir;

  static RunSummary summary() {
    Map<String, Double> sft = new LinkedHashMap<>();
    sft.put("accuracy", 0.625);
    sft.put("loss", 0.41);
    Map<String, Double> rl = new LinkedHashMap<>();
    rl.put("accuracy", 0.75);
    rl.put("kl", Double.NaN);
    return new RunSummary(
        "quickstart-20260102-030405",
        "3f2a9c",
        1234.5,
        List.of(
            new RunSummary.Stage(StageName.SFT, 800.25, sft),
            new RunSummary.Stage(StageName.PRM_COLLECT, 100.0, Map.of("samples", 4096.0)),
            new RunSummary.Stage(StageName.RL, 330.0, rl)),
        Optional.of(SHA));
  }

  private static final String SHA = "ab".repeat(32);

  @Test
  void roundTripsThroughJsonIncludingNaNFigures() throws IOException {
    Path file = new Path(dir.resolve("summary.json").toUri());

    summary().write(file);
    RunSummary read = RunSummary.read(file);

    assertThat(read).isEqualTo(summary());
    assertThat(read.stages().get(2).figures().get("kl")).isNaN();
  }

  @Test
  void writesTheDocumentedKeysWithPerStageAccuracyAtTopLevel() throws IOException {
    java.nio.file.Path file = dir.resolve("summary.json");
    summary().write(new Path(file.toUri()));

    JsonNode json = new ObjectMapper().readTree(Files.readString(file));
    assertThat(json.fieldNames())
        .toIterable()
        .containsExactly(
            "run_id",
            "config_hash",
            "wall_seconds",
            "sft_accuracy",
            "rl_accuracy",
            "weights_sha256",
            "stages");
    assertThat(json.get("weights_sha256").asText()).isEqualTo(SHA);
    assertThat(json.get("sft_accuracy").asDouble()).isEqualTo(0.625);
    assertThat(json.get("wall_seconds").asDouble()).isEqualTo(1234.5);
    assertThat(json.get("stages").get(0).fieldNames())
        .toIterable()
        .containsExactly("name", "wall_seconds", "accuracy", "loss");
    assertThat(json.get("stages").get(1).get("name").asText()).isEqualTo("prm_collect");
  }

  @Test
  void rejectsDuplicateStagesAndReservedFigureNames() {
    RunSummary.Stage sft = new RunSummary.Stage(StageName.SFT, 1.0, Map.of());
    assertThatThrownBy(() -> new RunSummary("r", "h", 2.0, List.of(sft, sft)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid stages: the name 'sft' appears twice");
    assertThatThrownBy(() -> new RunSummary.Stage(StageName.SFT, 1.0, Map.of("name", 1.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void readNamesWhatIsWrong() throws IOException {
    java.nio.file.Path file = dir.resolve("summary.json");
    Files.writeString(
        file,
        "{\"run_id\": \"r\", \"config_hash\": \"h\", \"wall_seconds\": 1.0,"
            + " \"stages\": [{\"name\": \"sft\", \"wall_seconds\": 1.0, \"accuracy\": \"high\"}]}");

    assertThatThrownBy(() -> RunSummary.read(new Path(file.toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("summary.json")
        .hasMessageContaining("Invalid value \"high\" for sft.accuracy: not a number");

    Files.writeString(file, "{\"run_id\": \"r\", \"wall_seconds\": 1.0, \"stages\": []}");
    assertThatThrownBy(() -> RunSummary.read(new Path(file.toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("missing key config_hash");

    Files.writeString(
        file,
        "{\"run_id\": \"r\", \"config_hash\": \"h\", \"wall_seconds\": 1.0,"
            + " \"stages\": [{\"name\": \"warmup\", \"wall_seconds\": 1.0}]}");
    assertThatThrownBy(() -> RunSummary.read(new Path(file.toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Invalid value 'warmup' for stage name: must be one of sft, eval");
  }
}
