package dev.rlflow.jobs.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTableTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void writesTheUnionOfMetricsInFirstSeenOrderWithEmptyCells() throws IOException {
    MetricsTable table = new MetricsTable();
    table.add("sft", 0, 1.5, ordered("loss", 2.25, "lr", 1e-4));
    table.add("sft", 1, 3.0, ordered("loss", 2.0, "lr", 2e-4, "grad_norm", 0.5));
    table.add("rl", 0, 10.0, ordered("reward", 0.25, "loss", Double.NaN));

    java.nio.file.Path file = dir.resolve("metrics.csv");
    table.write(new Path(file.toUri()));

    assertThat(Files.readString(file))
        .isEqualTo(
            "stage,step,wall_seconds,loss,lr,grad_norm,reward\n"
                + "sft,0,1.5,2.25,1.0E-4,,\n"
                + "sft,1,3.0,2.0,2.0E-4,0.5,\n"
                + "rl,0,10.0,NaN,,,0.25\n");
    assertThat(table.metricNames()).containsExactly("loss", "lr", "grad_norm", "reward");
  }

  @Test
  void roundTripsEveryValueBitForBitAndKeepsAbsentMetricsAbsent() throws IOException {
    MetricsTable table = new MetricsTable();
    table.add("sft", 0, 0.0, ordered("loss", 0.1 + 0.2, "lr", 3.0e-7));
    table.add("prm, \"v2\"\nnext", 7, 12.125, ordered("loss", Double.NaN));
    table.add("<sft>", Long.MAX_VALUE, 1e9, ordered("kl", Double.POSITIVE_INFINITY, "lr", -0.0));
    table.add("rl", 3, 4.0, Map.of());
    Path file = new Path(dir.resolve("metrics.csv").toUri());

    table.write(file);
    MetricsTable read = MetricsTable.read(file);

    assertThat(read.rows()).isEqualTo(table.rows());
    assertThat(read.metricNames()).isEqualTo(table.metricNames());
    assertThat(read.rows().get(0).metrics().get("loss")).isEqualTo(0.30000000000000004);
    assertThat(read.rows().get(1).metrics()).containsOnlyKeys("loss");
    assertThat(read.rows().get(3).metrics()).isEmpty();
  }

  @Test
  void rewritesTheWholeFileAndLeavesNoTemporaryFiles() throws IOException {
    MetricsTable table = new MetricsTable();
    Path file = new Path(dir.resolve("metrics.csv").toUri());
    table.add("sft", 0, 1.0, ordered("loss", 1.0));
    table.write(file);
    table.add("sft", 1, 2.0, ordered("loss", 0.5));
    table.write(file);

    assertThat(MetricsTable.read(file).rows()).hasSize(2);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("metrics.csv");
    }
  }

  @Test
  void readsAnEmptyTable() throws IOException {
    Path file = new Path(dir.resolve("metrics.csv").toUri());
    new MetricsTable().write(file);

    assertThat(Files.readString(dir.resolve("metrics.csv"))).isEqualTo("stage,step,wall_seconds\n");
    assertThat(MetricsTable.read(file).rows()).isEmpty();
  }

  @Test
  void readAcceptsCrLfLineEnds() throws IOException {
    java.nio.file.Path file = dir.resolve("metrics.csv");
    Files.writeString(file, "stage,step,wall_seconds,loss\r\nsft,2,1.0,0.5\r\n");

    MetricsTable table = MetricsTable.read(new Path(file.toUri()));

    assertThat(table.rows())
        .containsExactly(new MetricsTable.Row("sft", 2, 1.0, ordered("loss", 0.5)));
  }

  @Test
  void readNamesTheFileAndTheBrokenRecord() throws IOException {
    java.nio.file.Path file = dir.resolve("metrics.csv");

    Files.writeString(file, "step,stage,wall_seconds\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> MetricsTable.read(new Path(file.toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("metrics.csv")
        .hasMessageContaining("must start with stage,step,wall_seconds");

    Files.writeString(file, "stage,step,wall_seconds,loss\nsft,0,1.0,0.5\nsft,1,2.0\n");
    assertThatThrownBy(() -> MetricsTable.read(new Path(file.toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("record 3 has 3 fields, the header 4");

    Files.writeString(file, "stage,step,wall_seconds,loss\nsft,0,1.0,low\n");
    assertThatThrownBy(() -> MetricsTable.read(new Path(file.toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("record 2: invalid value 'low' for loss: must be a number");

    assertThatThrownBy(() -> MetricsTable.read(new Path(dir.resolve("absent.csv").toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("absent.csv");
  }

  @Test
  void addRejectsReservedMetricNamesAndBadWallTimes() {
    MetricsTable table = new MetricsTable();

    assertThatThrownBy(() -> table.add("sft", 0, 1.0, ordered("step", 1.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid metric name 'step'");
    assertThatThrownBy(() -> table.add("sft", 0, -1.0, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value -1.0 for wall_seconds: must be finite and >= 0");
    assertThatThrownBy(() -> table.add(" ", 0, 1.0, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("for stage: must not be blank");
    assertThat(table.rows()).isEmpty();
  }

  private static Map<String, Double> ordered(Object... nameValues) {
    Map<String, Double> map = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      map.put((String) nameValues[i], (Double) nameValues[i + 1]);
    }
    return map;
  }
}
