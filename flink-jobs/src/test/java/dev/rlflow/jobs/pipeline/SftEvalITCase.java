package dev.rlflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.eval.EvalResult;
import dev.rlflow.jobs.policy.UntrainedPolicy;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sft and eval as Flink jobs on an embedded MiniCluster, with a very small configuration. */
class SftEvalITCase {
  private static final String SMALL =
      """
      task:
        train_examples: 64
        test_examples: 24
        arith: {min_steps: 2, max_steps: 2, start_max: 9, operand_max: 5, max_value: 60}
      policy: {hidden_size: 32, num_layers: 2, num_heads: 2, num_kv_heads: 1,
               intermediate_size: 64, max_seq_len: 64, device: cpu}
      sft: {updates: 60, batch_size: 16, lr: 3.0e-3, warmup_updates: 5, checkpoint_every: 50}
      eval: {samples: 2, pass_k: 2, batch_size: 16}
      rollout: {max_new_tokens: 40}
      placement: {slots_per_task_manager: 2}
      """;

  private static RunConfig config(Path out, String id, Map<String, String> overrides) {
    Map<String, String> all = new HashMap<>(overrides);
    all.put("run.output_dir", out.toString());
    all.put("run.id", id);
    return RunConfigLoader.parse(SMALL, "it.yaml", all);
  }

  @Test
  void sftWritesACheckpointThatEvalScoresBetterThanAnUntrainedModel(@TempDir Path out)
      throws Exception {
    StringWriter log = new StringWriter();
    RunConfig config = config(out, "trained", Map.of());
    RunSummary summary =
        run(config, log, List.of(Pipeline.Stage.SFT, Pipeline.Stage.EVAL), Optional.empty());

    Path run = out.resolve("trained");
    assertThat(log.toString()).contains("Flink web UI: http://localhost:").contains("sft ");
    assertThat(run.resolve("checkpoints/sft/config.json")).exists();
    assertThat(run.resolve("checkpoints/sft-step-50/model.safetensors")).exists();
    MetricsTable metrics =
        MetricsTable.read(new org.apache.flink.core.fs.Path(run.resolve("metrics.csv").toString()));
    assertThat(metrics.rows()).hasSize(60);
    assertThat(metrics.rows().get(59).metrics().get("loss"))
        .isLessThan(metrics.rows().get(0).metrics().get("loss"));
    EvalResult trained = read(run.resolve("eval.json"));
    assertThat(trained.problems()).isEqualTo(24);
    assertThat(summary.stages()).extracting(s -> s.name().key()).containsExactly("sft", "eval");
    assertThat(Files.readString(run.resolve("summary.json"))).contains("\"sft_accuracy\"");
    assertThat(run.resolve("report.html")).exists();

    // The same evaluation of an untrained policy of the same shape.
    Path untrained =
        UntrainedPolicy.save(config.policy(), config.run().seed(), out.resolve("untrained-policy"));
    run(
        config(out, "untrained", Map.of()),
        log,
        List.of(Pipeline.Stage.EVAL),
        Optional.of(untrained.toString()));
    EvalResult baseline = read(out.resolve("untrained/eval.json"));
    assertThat(trained.referenceNll())
        .as("reference NLL after SFT vs untrained")
        .isLessThan(baseline.referenceNll() - 1.0);
    assertThat(trained.stepAccuracy()).isGreaterThanOrEqualTo(baseline.stepAccuracy());
  }

  @Test
  void aMissingDatasetFailsBeforeAnyJobWithItsUri(@TempDir Path out) {
    Path missing = out.resolve("nowhere/train.jsonl");
    RunConfig config =
        config(out, "missing", Map.of("task.name", "gsm8k", "task.train_path", missing.toString()));
    StringWriter log = new StringWriter();
    assertThatThrownBy(() -> run(config, log, List.of(Pipeline.Stage.SFT), Optional.empty()))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining(missing.toString());
    assertThat(log.toString()).doesNotContain("Flink web UI");
  }

  @Test
  void malformedLinesAreSetAsideAndTrainingGoesOn(@TempDir Path out) throws Exception {
    Path data = out.resolve("train.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      lines.append(
          "{\"question\": \"what is "
              + i
              + " plus 2\", \"answer\": \""
              + i
              + " + 2 = "
              + (i + 2)
              + "\\n#### "
              + (i + 2)
              + "\"}\n");
      if (i == 7) {
        lines.append("{\"question\": \"no answer field\"}\n");
      }
      if (i == 12) {
        lines.append("this is not json\n");
      }
    }
    Files.writeString(data, lines.toString());
    RunConfig config =
        config(
            out,
            "gsm8k",
            Map.of(
                "task.name", "gsm8k",
                "task.train_path", data.toString(),
                "task.train_examples", "20",
                "sft.updates", "3",
                "sft.warmup_updates", "1"));
    RunSummary summary =
        run(config, new StringWriter(), List.of(Pipeline.Stage.SFT), Optional.empty());
    Path deadLetters = out.resolve("gsm8k/dead-letters/sft.jsonl");
    assertThat(Files.readAllLines(deadLetters))
        .hasSize(2)
        .anySatisfy(l -> assertThat(l).contains("\"line_number\":9").contains("answer"))
        .anySatisfy(l -> assertThat(l).contains("\"line_number\":15").contains("invalid JSON"));
    assertThat(summary.stages().get(0).figures()).containsEntry("dead_letters", 2.0);
    assertThat(out.resolve("gsm8k/checkpoints/sft/config.json")).exists();
  }

  /** Runs {@code stages} as the command line does, on an embedded cluster with its web UI. */
  private static RunSummary run(
      RunConfig config, StringWriter log, List<Pipeline.Stage> stages, Optional<String> policy)
      throws Exception {
    PrintWriter out = new PrintWriter(log, true);
    try (JobRunner runner = new JobRunner(config.placement().slotsPerTaskManager(), true, out)) {
      return new Pipeline(config, out, Clock.systemUTC()).run(stages, policy, runner);
    }
  }

  private static EvalResult read(Path file) throws Exception {
    return EvalResult.read(new org.apache.flink.core.fs.Path(file.toString()));
  }
}
