package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
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
 * vineppo on a MiniCluster: the rollout values every step prefix by Monte Carlo continuations (or,
 * omega-credit, the prefixes OmegaPRM's binary search probes), the trainer moves the policy, and
 * metrics.csv counts the rollouts. The policy starts from a short SFT rather than untrained: an
 * untrained policy never writes an accepted answer, so every value is 0, every advantage 0, and no
 * update could move it.
 */
class VinePpoITCase {
  private static final String SMALL =
      """
      task:
        train_examples: 512
        test_examples: 16
        arith: {min_steps: 2, max_steps: 2, start_max: 5, operand_max: 2, max_value: 20}
      policy: {hidden_size: 48, num_layers: 2, num_heads: 2, num_kv_heads: 1,
               intermediate_size: 96, max_seq_len: 80, device: cpu}
      sft: {updates: 150, batch_size: 32, lr: 3.0e-3, warmup_updates: 10, checkpoint_every: 1000}
      rollout: {prompts_per_batch: 4, samples_per_prompt: 4, max_new_tokens: 40, iterations: 2}
      algorithm: {name: vineppo, epochs: 1, minibatch_size: 8, lr_warmup_updates: 0}
      reward: {verifier: answer, step_weight: 0}
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
  void vinePpoValuesEveryStepAndMovesThePolicyWhateverTheLayout() throws Exception {
    RlhfJob.Result result = run("vine", Map.of());

    assertThat(result.iterations()).isEqualTo(2);
    // Moved even where no sampled response is accepted: a continuation the verifier accepts gives
    // its prefix a value > 0, and the step that reached it a positive advantage.
    assertThat(result.weightsSha256()).isNotEqualTo(startingWeights());
    List<Double> rollouts = rollouts("vine");
    // K = 4 continuations from each inner step prefix of every response
    assertThat(rollouts)
        .hasSize(2)
        .allSatisfy(n -> assertThat(n % 4).isZero())
        .allMatch(n -> n > 0);
    report("vineppo", result);

    // A continuation's draws depend on (run seed, version, problem, response, step, k) alone: two
    // rollout subtasks value the same steps the same, and train the same weights.
    RlhfJob.Result sharded = run("vine-2", Map.of("placement.rollout_parallelism", "2"));
    assertThat(sharded.weightsSha256()).isEqualTo(result.weightsSha256());

    // omega-credit on the same first batch (same policy, seed and version: the same responses)
    // probes at most as many prefixes as VinePPO, none of an accepted response.
    RlhfJob.Result omega = run("omega", Map.of("algorithm.mc_probes", "first_error"));
    assertThat(omega.iterations()).isEqualTo(2);
    List<Double> omegaRollouts = rollouts("omega");
    assertThat(omegaRollouts).allSatisfy(n -> assertThat(n % 4).isZero());
    assertThat(omegaRollouts.get(0)).isLessThanOrEqualTo(rollouts.get(0));
    report("omega-credit", omega);
  }

  /** The cost per iteration, in the test's output: rollouts, generation seconds, accuracy. */
  private static void report(String variant, RlhfJob.Result result) {
    for (RlMetric m : result.metrics()) {
      System.out.printf(
          "%s iteration %d: mc_rollouts %d, generation %.2f s, accuracy %.3f%n",
          variant, m.iteration(), m.mcRollouts(), m.generationSeconds(), m.accuracy());
    }
  }

  private static String startingWeights() throws Exception {
    Engine.getInstance();
    RunConfig config = config("sft", Map.of());
    try (TransformerModel policy =
        ModelCheckpoint.load(
            Path.of(sft),
            TransformerModel.Head.LM,
            ComputeTarget.of(config.policy()),
            config.run().seed())) {
      return RlTrainerFunction.sha256(policy.weights());
    }
  }

  private static List<Double> rollouts(String id) throws Exception {
    MetricsTable metrics =
        MetricsTable.read(
            new org.apache.flink.core.fs.Path(
                out.resolve("rl-" + id).resolve(MetricsTable.FILE_NAME).toUri()));
    return metrics.rows().stream().map(r -> r.metrics().get("mc_rollouts")).toList();
  }

  private static RlhfJob.Result run(String id, Map<String, String> overrides) throws Exception {
    RunConfig config = config("rl-" + id, overrides);
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
