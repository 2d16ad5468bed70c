package dev.rlflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.traces.ProcessLabel;
import dev.rlflow.traces.TraceFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlflow traces tail} on files; its Kafka path runs in TraceSinksITCase. */
class TracesCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void tailPrintsTheLabelsOfFinishedFilesOldestFirst(@TempDir Path dir) throws IOException {
    Path labels = Files.createDirectories(dir.resolve("process-labels"));
    write(
        labels.resolve("part-b-0-0.avro"),
        Instant.parse("2026-11-22T10:00:00Z"),
        label(0),
        label(1));
    write(labels.resolve("part-a-0-1.avro"), Instant.parse("2026-11-22T10:05:00Z"), label(2));
    // Still being written by the file sink: never read.
    Files.writeString(labels.resolve(".part-c-0-2.avro.inprogress.1234"), "half a file");
    Files.writeString(dir.resolve("_SUCCESS"), "");

    CliRun all = CliRun.of("traces", "tail", "--dir", dir.toString());
    assertThat(all.exitCode()).as(all.err()).isZero();
    List<JsonNode> lines = parse(all.out());
    assertThat(lines).extracting(l -> l.get("search_id").asLong()).containsExactly(0L, 1L, 2L);
    JsonNode first = lines.get(0);
    assertThat(first.get("question_id").asText()).isEqualTo("arith-test-3-0");
    assertThat(first.get("question").asText()).isEqualTo("start 5, ×3 — result?");
    assertThat(first.get("policy_version").asLong()).isEqualTo(2);
    assertThat(first.get("prefix_steps")).extracting(JsonNode::asText).containsExactly("start 5");
    assertThat(first.get("step").asText()).isEqualTo("5 × 3 = 15");
    assertThat(first.get("mc_value").asDouble()).isEqualTo(0.25);
    assertThat(first.get("rollouts").asInt()).isEqualTo(8);

    CliRun two = CliRun.of("traces", "tail", "--dir", labels.toUri().toString(), "--max", "2");
    assertThat(parse(two.out()))
        .extracting(l -> l.get("search_id").asLong())
        .containsExactly(0L, 1L);
  }

  @Test
  void usageErrorsNameTheProblem(@TempDir Path dir) {
    assertThat(CliRun.of("traces", "tail").exitCode()).isEqualTo(2);
    assertThat(
            CliRun.of("traces", "tail", "--dir", dir.toString(), "--kafka", "h:1", "--topic", "t")
                .exitCode())
        .isEqualTo(2);
    CliRun noTopic = CliRun.of("traces", "tail", "--kafka", "localhost:9092");
    assertThat(noTopic.exitCode()).isEqualTo(2);
    assertThat(noTopic.err()).contains("--topic");
    CliRun zero = CliRun.of("traces", "tail", "--dir", dir.toString(), "--max", "0");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(zero.err()).contains("Invalid value 0 for --max: must be >= 1");
    CliRun missing = CliRun.of("traces", "tail", "--dir", dir.resolve("nothing").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("rlflow traces tail: No such directory: ");
  }

  @Test
  void aFileOfAnotherFormatFailsNamingTheFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("part-0.avro"), "{\"not\": \"avro\"}\n");
    CliRun run = CliRun.of("traces", "tail", "--dir", dir.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("part-0.avro: Not an Avro container file of dev.rlflow.traces.ProcessLabel");
  }

  private static ProcessLabel label(long searchId) {
    return ProcessLabel.newBuilder()
        .setQuestionId("arith-test-3-" + searchId)
        .setQuestion("start 5, ×3 — result?")
        .setSearchId(searchId)
        .setPolicyVersion(2)
        .setPrefixSteps(List.of("start 5"))
        .setStep("5 × 3 = 15")
        .setMcValue(0.25)
        .setRollouts(8)
        .build();
  }

  private static void write(Path file, Instant modified, ProcessLabel... labels)
      throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        DataFileWriter<ProcessLabel> writer = TraceFiles.writer(ProcessLabel.class, out)) {
      for (ProcessLabel label : labels) {
        writer.append(label);
      }
    }
    Files.setLastModifiedTime(file, FileTime.from(modified));
  }

  private static List<JsonNode> parse(String out) throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.lines().toList()) {
      lines.add(JSON.readTree(line));
    }
    return lines;
  }
}
