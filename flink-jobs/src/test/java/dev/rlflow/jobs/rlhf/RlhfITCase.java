package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.report.MetricsTable;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RLHF job on a MiniCluster from a tiny SFT policy: a few iterations of every algorithm, and
 * two runs of one config ending with bit-identical weights, synchronous and with a lag of one.
 */
class RlhfITCase {
  private static final String SMALL =
      """
      task:
        train_examples: 512
        test_examples: 16
        arith: {min_steps: 2, max_steps: 2, start_max: 5, operand_max: 2, max_value: 20}
      policy: {hidden_size: 48, num_layers: 2, num_heads: 2, num_kv_heads: 1,
               intermediate_size: 96, max_seq_len: 80, device: cpu}
      sft: {updates: 150, batch_size: 32, lr: 3.0e-3, warmup_updates: 10, checkpoint_every: 1000}
      rollout: {prompts_per_batch: 4, samples_per_prompt: 4, max_new_tokens: 40, iterations: 3}
      algorithm: {epochs: 1, minibatch_size: 8}
      placement: {slots_per_task_manager: 2}
      """;

  @TempDir static Path out;
  private static String sft;

  @BeforeAll
  static void trainSft() throws Exception {
    RunConfig config = config("sft", Map.of());
    try (JobRunner runner = new JobRunner(2, false, new PrintWriter(new StringWriter(), true))) {
      new Pipeline(config, new PrintWriter(new StringWriter(), true), Clock.systemUTC())
          .run(List.of(Pipeline.Stage.SFT), Optional.empty(), runner);
    }
    sft = out.resolve("sft/checkpoints/sft").toString();
  }

  @Test
  void everyAlgorithmRunsIterationsAndWritesItsPolicy() throws Exception {
    for (String algorithm : List.of("ppo", "grpo", "rloo", "reinforce_pp")) {
      RlhfJob.Result result = run(algorithm, Map.of("algorithm.name", algorithm));
      assertThat(result.iterations()).as(algorithm).isEqualTo(3);
      assertThat(Path.of(result.checkpoint()).resolve("config.json")).exists();
      assertThat(result.weightsSha256()).hasSize(64);
      for (RlMetric m : result.metrics()) {
        assertThat(m.accuracy()).isBetween(0.0, 1.0);
        assertThat(m.responseLength()).isPositive();
        assertThat(m.genTokensPerSecond()).isPositive();
        assertThat(m.orchestration()).isBetween(0.0, 1.0);
        assertThat(m.version()).isEqualTo(m.iteration()); // max_staleness 0
        assertThat(Double.isNaN(m.valueLoss())).isEqualTo(!algorithm.equals("ppo"));
      }
      assertThat(out.resolve("rl-" + algorithm + "/metrics.csv")).exists();
    }
  }

  @Test
  void twoRunsOfOneConfigEndWithBitIdenticalWeights() throws Exception {
    for (int lag : new int[] {0, 1}) {
      Map<String, String> overrides = Map.of("rollout.max_staleness", Integer.toString(lag));
      RlhfJob.Result first = run("det-a" + lag, overrides);
      RlhfJob.Result second = run("det-b" + lag, overrides);
      assertThat(second.weightsSha256()).as("lag " + lag).isEqualTo(first.weightsSha256());
      assertThat(first.metrics().get(2).version()).isEqualTo(2 - lag);
    }
  }

  private static RlhfJob.Result run(String id, Map<String, String> overrides) throws Exception {
    RunConfig config = config(id.startsWith("det") ? id : "rl-" + id, overrides);
    PrintWriter print = new PrintWriter(new StringWriter(), true);
    try (JobRunner runner = new JobRunner(2, false, print)) {
      RunDirectory run = RunDirectory.create(config, Clock.systemUTC());
      return RlhfJob.run(
          config, run, runner, sft, null, new MetricsTable(), 0, new Progress(print, false, 1));
    }
  }

  private static RunConfig config(String id, Map<String, String> overrides) throws Exception {
    Map<String, String> all = new HashMap<>(overrides);
    all.put("run.output_dir", out.toString());
    all.put("run.id", id);
    return RunConfigLoader.parse(SMALL, "it.yaml", all);
  }
}
