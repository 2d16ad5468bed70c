package dev.rlflow.jobs.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset job on a real embedded MiniCluster, as {@code ./rlflow dataset} runs it. */
class DatasetJobITCase {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesVerifiedDisjointSplitsIntoTheRunDirectory(@TempDir Path out) throws Exception {
    RunConfig config =
        RunConfigLoader.parse(
            "run: {seed: 7}\ntask: {train_examples: 300, test_examples: 120}\n",
            "conf/it.yaml",
            Map.of("run.output_dir", out.toString()));
    Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
    RunDirectory run = RunDirectory.create(config, clock);
    StringWriter log = new StringWriter();

    DatasetJob.Summary summary;
    try (JobRunner runner = new JobRunner(2, true, new PrintWriter(log, true))) {
      summary = DatasetJob.run(config, run, runner);
    }

    assertThat(run.runId()).isEqualTo("it-20261122-100000");
    assertThat(log.toString()).startsWith("Flink web UI: http://localhost:");
    assertThat(summary.problems("train")).isEqualTo(300);
    assertThat(summary.problems("test")).isEqualTo(120);
    assertThat(summary.deadLetters()).isZero();
    for (int steps = 2; steps <= 5; steps++) {
      assertThat(summary.problems("train", steps)).as("train with %d steps", steps).isPositive();
    }

    Path dir = out.resolve(run.runId());
    List<JsonNode> train = readLines(dir.resolve("data/train"));
    List<JsonNode> test = readLines(dir.resolve("data/test"));
    assertThat(train)
        .hasSize(300)
        .allSatisfy(p -> assertThat(p.get("split").asText()).isEqualTo("train"));
    assertThat(test).hasSize(120);
    Set<String> trainQuestions = new HashSet<>();
    train.forEach(p -> trainQuestions.add(p.get("question").asText()));
    assertThat(test).noneMatch(p -> trainQuestions.contains(p.get("question").asText()));
    assertThat(train.get(0).get("solution").asText()).contains(" = ").contains("\nanswer: ");

    assertThat(Files.readString(dir.resolve("config.yaml")))
        .contains("# config hash: " + config.configHash())
        .contains("train_examples: 300");
    assertThat(JSON.readTree(dir.resolve("data/summary.json").toFile()).get("test.steps.2").asInt())
        .isEqualTo(summary.problems("test", 2));
    assertThat(Files.readSymbolicLink(out.resolve("latest"))).isEqualTo(Path.of(run.runId()));
  }

  @Test
  void sameSeedGivesTheSameDataset(@TempDir Path out) throws Exception {
    List<String> first = datasetQuestions(out.resolve("a"));
    List<String> second = datasetQuestions(out.resolve("b"));
    assertThat(first).hasSize(50).isEqualTo(second);
  }

  private static List<String> datasetQuestions(Path out) throws Exception {
    RunConfig config =
        RunConfigLoader.parse(
            "run: {id: same}\ntask: {train_examples: 50, test_examples: 10}\n",
            "it.yaml",
            Map.of("run.output_dir", out.toString()));
    RunDirectory run = RunDirectory.create(config, Clock.systemUTC());
    try (JobRunner runner = new JobRunner(1, false, new PrintWriter(new StringWriter()))) {
      DatasetJob.run(config, run, runner);
    }
    List<String> questions = new ArrayList<>();
    readLines(out.resolve("same/data/train"))
        .forEach(p -> questions.add(p.get("id").asText() + " " + p.get("question").asText()));
    questions.sort(null);
    return questions;
  }

  private static List<JsonNode> readLines(Path dir) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
        for (String line : Files.readAllLines(file)) {
          rows.add(JSON.readTree(line));
        }
      }
    }
    return rows;
  }
}
