package dev.rlflow.jobs.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sft, then prm-collect with OmegaPRM and the per-step Monte Carlo baseline, on a MiniCluster. */
class PrmCollectITCase {
  private static final String SMALL =
      """
      task:
        train_examples: 512
        test_examples: 16
        arith: {min_steps: 2, max_steps: 2, start_max: 5, operand_max: 2, max_value: 20}
      policy: {hidden_size: 48, num_layers: 2, num_heads: 2, num_kv_heads: 1,
               intermediate_size: 96, max_seq_len: 80, device: cpu}
      sft: {updates: 300, batch_size: 32, lr: 3.0e-3, warmup_updates: 10, checkpoint_every: 1000}
      rollout: {max_new_tokens: 40}
      omega_prm: {questions: 12, prefilter_rollouts: 8, rollouts_per_estimate: 4,
                  search_limit: 4, baseline_solutions: 2, concurrent_searches: 6}
      placement: {slots_per_task_manager: 2}
      """;

  @Test
  void collectsLabelsWithBothMethodsAndWritesTheFigures(@TempDir Path out) throws Exception {
    RunConfig config =
        RunConfigLoader.parse(
            SMALL, "it.yaml", Map.of("run.output_dir", out.toString(), "run.id", "collect"));
    StringWriter log = new StringWriter();
    PrintWriter print = new PrintWriter(log, true);
    RunSummary summary;
    try (JobRunner runner = new JobRunner(2, false, print)) {
      summary =
          Pipeline.builder(config, print, Clock.systemUTC())
              .optCompareWithPerStepMc(true)
              .build()
              .run(
                  List.of(Pipeline.Stage.SFT, Pipeline.Stage.PRM_COLLECT),
                  Optional.empty(),
                  runner);
    }

    Path run = out.resolve("collect");
    JsonNode figures = new ObjectMapper().readTree(run.resolve("prm-collect.json").toFile());
    for (String method : List.of("omegaprm", "per_step_mc")) {
      JsonNode m = figures.get(method);
      assertThat(m).as(method + " in " + figures).isNotNull();
      assertThat(m.get("rollouts").asLong()).as(method + " rollouts").isPositive();
      assertThat(m.get("labels").asLong()).as(method + " labels").isPositive();
      assertThat(m.get("labels_per_1k_rollouts").asDouble())
          .isEqualTo(
              1000.0 * m.get("labels").asLong() / m.get("rollouts").asLong(),
              org.assertj.core.data.Offset.offset(1e-6));
      assertThat(m.get("label_accuracy").asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(log.toString()).contains("labels/1k").contains("OmegaPRM:");
    // OmegaPRM's labels are in the run's Avro files, decoded with the schema of the traces module.
    List<dev.rlflow.traces.ProcessLabel> written = new java.util.ArrayList<>();
    dev.rlflow.jobs.traces.ProcessLabelTail.files(
        new org.apache.flink.core.fs.Path(run.resolve("traces/process-labels").toUri()),
        Long.MAX_VALUE,
        written::add);
    assertThat(written).hasSize(figures.get("omegaprm").get("labels").asInt());
    assertThat(written).allSatisfy(l -> assertThat(l.getQuestion()).startsWith("start "));
    assertThat(summary.stages())
        .extracting(s -> s.name().key())
        .containsExactly("sft", "prm_collect");
    assertThat(Files.readString(run.resolve("summary.json"))).contains("\"label_accuracy\"");
  }

  @Test
  void withoutAPolicyItFailsBeforeAnyJob(@TempDir Path out) {
    RunConfig config =
        RunConfigLoader.parse(
            "task: {train_examples: 10}\n", "it.yaml", Map.of("run.output_dir", out.toString()));
    StringWriter log = new StringWriter();
    PrintWriter print = new PrintWriter(log, true);
    assertThatThrownBy(
            () -> {
              try (JobRunner runner = new JobRunner(1, false, print)) {
                new Pipeline(config, print, Clock.systemUTC())
                    .run(List.of(Pipeline.Stage.PRM_COLLECT), Optional.empty(), runner);
              }
            })
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("policy.checkpoint");
    assertThat(log.toString()).doesNotContain("Flink REST API");
  }
}
