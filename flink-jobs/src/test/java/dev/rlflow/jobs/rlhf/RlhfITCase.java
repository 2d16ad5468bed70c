package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.cli.CliRun;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.policy.PromptFormat;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.TrainingDivergedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
    for (String algorithm : List.of("ppo", "grpo", "rloo", "reinforce_pp", "raft")) {
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
        // arith: the step checker audits whatever the verifier accepted, NaN only for nothing
        assertThat(Double.isNaN(m.acceptedWrongStepShare())).isEqualTo(m.accuracy() == 0);
        if (!Double.isNaN(m.logProbGapMax())) { // NaN: raft accepted nothing to train on
          // FP32, no lag: the sampler's weights are the trainer's, the gap float rounding alone
          assertThat(m.logProbGapMax()).as(algorithm).isLessThanOrEqualTo(1e-4);
          assertThat(m.logProbGapMean()).as(algorithm).isLessThanOrEqualTo(m.logProbGapMax());
        }
      }
      assertThat(out.resolve("rl-" + algorithm + "/metrics.csv")).exists();
    }
  }

  /**
   * vineppo: the rollout values every step prefix by Monte Carlo continuations (or, omega-credit,
   * the prefixes OmegaPRM's binary search probes), the trainer moves the policy, and metrics.csv
   * counts the rollouts. From the short SFT, not an untrained policy: that never writes an accepted
   * answer, so every value is 0, every advantage 0, and no update could move it.
   */
  @Test
  void vinePpoValuesEveryStepAndMovesThePolicyWhateverTheLayout() throws Exception {
    Map<String, String> vine =
        Map.of(
            "algorithm.name", "vineppo",
            "algorithm.lr_warmup_updates", "0",
            "reward.verifier", "answer",
            "reward.step_weight", "0",
            "rollout.iterations", "2");
    RlhfJob.Result result = run("vine", vine);

    assertThat(result.iterations()).isEqualTo(2);
    // Moved even where no sampled response is accepted: a continuation the verifier accepts gives
    // its prefix a value > 0, and the step that reached it a positive advantage.
    assertThat(result.weightsSha256()).isNotEqualTo(startingWeights());
    List<Double> rollouts = mcRollouts("vine");
    // K = 4 continuations from each inner step prefix of every response
    assertThat(rollouts)
        .hasSize(2)
        .allSatisfy(n -> assertThat(n % 4).isZero())
        .allMatch(n -> n > 0);
    report("vineppo", result);

    // A continuation's draws depend on (run seed, version, problem, response, step, k) alone: two
    // rollout subtasks value the same steps the same, and train the same weights.
    Map<String, String> sharded = new HashMap<>(vine);
    sharded.put("placement.rollout_parallelism", "2");
    assertThat(run("vine2", sharded).weightsSha256()).isEqualTo(result.weightsSha256());

    // omega-credit on the same first batch (same policy, seed and version: the same responses)
    // probes at most as many prefixes as VinePPO, none of an accepted response.
    Map<String, String> firstError = new HashMap<>(vine);
    firstError.put("algorithm.mc_probes", "first_error");
    RlhfJob.Result omega = run("omega", firstError);
    assertThat(omega.iterations()).isEqualTo(2);
    List<Double> omegaRollouts = mcRollouts("omega");
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

  private static List<Double> mcRollouts(String id) throws Exception {
    MetricsTable metrics =
        MetricsTable.read(
            new org.apache.flink.core.fs.Path(
                out.resolve("rl-" + id).resolve(MetricsTable.FILE_NAME).toUri()));
    return metrics.rows().stream().map(r -> r.metrics().get("mc_rollouts")).toList();
  }

  /**
   * rollout.time_budget: the iteration that spends the budget is the last; its policy is the final
   * one, the prompt source stops and a batch generated meanwhile is dropped — in memory (colocated,
   * with a lag of one, so that the next batch is already being generated) and on the filesystem.
   */
  @Test
  void aSpentTimeBudgetEndsTheRunAfterThatIteration() throws Exception {
    for (String mode : List.of("colocated", "disaggregated")) {
      RlhfJob.Result result =
          run(
              "budget-" + mode,
              Map.of(
                  "rollout.iterations",
                  "40",
                  "rollout.time_budget",
                  "1ms",
                  "rollout.max_staleness",
                  mode.equals("colocated") ? "1" : "0",
                  "placement.mode",
                  mode));
      assertThat(result.iterations()).as(mode).isEqualTo(1);
      assertThat(Path.of(result.checkpoint()).resolve("config.json")).exists();
      assertThat(result.weightsSha256()).hasSize(64);
    }
  }

  @Test
  void twoRunsOfOneConfigEndWithBitIdenticalWeights() throws Exception {
    for (int lag : new int[] {0, 1}) {
      // ppo with the actor moving from iteration 0, so that every batch's policy version differs
      Map<String, String> overrides =
          Map.of(
              "rollout.max_staleness",
              Integer.toString(lag),
              "algorithm.critic_warmup_iterations",
              "0");
      RlhfJob.Result first = run("det-a" + lag, overrides);
      RlhfJob.Result second = run("det-b" + lag, overrides);
      assertThat(second.weightsSha256()).as("lag " + lag).isEqualTo(first.weightsSha256());
      assertThat(first.metrics().get(2).version()).isEqualTo(2 - lag);
      if (lag == 1) { // batch 2 sampled by version 1, trained from version 2: the gap shows it
        assertThat(first.metrics().get(2).logProbGapMax())
            .isGreaterThan(first.metrics().get(0).logProbGapMax());
      }
    }
  }

  /**
   * The pipeline's RL part as the quickstart runs it, from a given policy by {@code rlflow run
   * --control}: eval of the starting policy, rl, its eval, the control (continued SFT for RL's
   * time) and its eval; summary.json has the accuracy of each and the weights' checksum, and the
   * report puts them side by side with the reward and KL curves.
   */
  /**
   * DESIGN.md §3: the final weights do not depend on the layout — how many rollout and reward
   * subtasks share a batch, and whether weights move in memory (colocated) or through the
   * filesystem weight store (disaggregated; GRPO only, to keep the test short) — synchronous or
   * with a lag of one.
   */
  @Test
  void theWeightsDoNotDependOnHowManySubtasksRollOutAndReward() throws Exception {
    record Layout(int rollout, int reward, String mode) {}
    for (String algorithm : List.of("grpo", "ppo")) {
      for (int lag : new int[] {0, 1}) {
        List<Layout> layouts =
            new java.util.ArrayList<>(
                List.of(
                    new Layout(1, 1, "colocated"),
                    new Layout(2, 1, "colocated"),
                    new Layout(4, 2, "colocated")));
        if (algorithm.equals("grpo")) {
          layouts.add(new Layout(1, 1, "disaggregated"));
          layouts.add(new Layout(2, 1, "disaggregated"));
          layouts.add(new Layout(4, 2, "disaggregated"));
        }
        String reference = null;
        for (Layout layout : layouts) {
          String id =
              "layout-"
                  + algorithm
                  + lag
                  + "-"
                  + layout.rollout()
                  + "x"
                  + layout.reward()
                  + "-"
                  + layout.mode();
          RlhfJob.Result result =
              run(
                  id,
                  Map.of(
                      "algorithm.name", algorithm,
                      "rollout.max_staleness", Integer.toString(lag),
                      "placement.rollout_parallelism", Integer.toString(layout.rollout()),
                      "placement.reward_parallelism", Integer.toString(layout.reward()),
                      "placement.mode", layout.mode()));
          if (reference == null) {
            reference = result.weightsSha256();
          }
          assertThat(result.weightsSha256()).as(id).isEqualTo(reference);
          if (layout.mode().equals("disaggregated")) {
            // Versions 0 to 3 were published; retention keeps the lag's, the trained one and one
            // spare, as committed universal checkpoints.
            List<String> kept = new java.util.ArrayList<>();
            for (int v = 0; v <= 3; v++) {
              Path version = out.resolve(id).resolve(WeightStores.WEIGHTS).resolve("v" + v);
              if (Files.exists(version.resolve("_COMMITTED"))) {
                kept.add("v" + v);
              }
            }
            assertThat(kept).as(id).hasSize(lag + 2).endsWith("v3");
          }
        }
      }
    }
  }

  @Test
  void runWithControlTrainsRlThenItsControlAndReportsBoth() throws Exception {
    Path yaml = out.resolve("control.yaml");
    Files.writeString(yaml, SMALL);
    CliRun cli =
        CliRun.of(
            "run",
            yaml.toString(),
            "--no-web-ui",
            "--control",
            "--checkpoint",
            sft,
            "--prm",
            "none",
            "-Drun.output_dir=" + out,
            "-Drun.id=pipeline-rl");
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out()).contains("held-out accuracy: before RL", "control (continued SFT");
    Path run = out.resolve("pipeline-rl");
    RunSummary summary =
        RunSummary.read(new org.apache.flink.core.fs.Path(run.resolve("summary.json").toUri()));
    assertThat(summary.stages())
        .extracting(s -> s.name().key())
        .containsExactly("eval", "rl", "eval_rl", "control", "eval_control");
    assertThat(summary.weightsSha256()).hasValueSatisfying(sha -> assertThat(sha).hasSize(64));
    String json = Files.readString(run.resolve("summary.json"));
    assertThat(json)
        .contains("\"rl_accuracy\"", "\"control_accuracy\"", "\"weights_sha256\"")
        .contains("\"wall_seconds\"");
    assertThat(run.resolve("eval-rl.json")).exists();
    assertThat(run.resolve("checkpoints/control/config.json")).exists();
    // The control trains for RL's wall time, so its stage takes at least that long.
    assertThat(wallSeconds(summary, "control")).isGreaterThanOrEqualTo(wallSeconds(summary, "rl"));
    assertThat(Files.readString(run.resolve("report.html")))
        .contains(
            "Reinforcement learning", "before RL (SFT)", "after RL", "control: continued SFT");
  }

  private static double wallSeconds(RunSummary summary, String stage) {
    return summary.stages().stream()
        .filter(s -> s.name().key().equals(stage))
        .findFirst()
        .orElseThrow()
        .wallSeconds();
  }

  /**
   * {@code rlflow compare}: two outcome-only variants, one with a lag and a learning rate of its
   * own, each with two seeds and the same wall-time budget, and the JSON of both.
   */
  @Test
  void compareTrainsEachVariantFromTheSamePolicy() throws Exception {
    Path yaml = out.resolve("compare.yaml");
    Files.writeString(yaml, SMALL);
    Path json = out.resolve("compare.json");
    CliRun cli =
        CliRun.of(
            "compare",
            yaml.toString(),
            "--no-web-ui",
            "--algorithms",
            "grpo,rloo-lag1",
            "--set",
            "rloo-lag1:algorithm.actor_lr=0.002",
            "--checkpoint",
            sft,
            "--json",
            json.toString(),
            "--seeds",
            "2",
            "--budget-seconds",
            "0.001",
            "-Drun.output_dir=" + out,
            "-Drun.id=cmp",
            "-Drun.seed=5",
            "-Drollout.iterations=40");
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out()).contains("start (no RL)", "grpo", "rloo-lag1", "2 seeds from run.seed 5");
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.fieldNames()).toIterable().containsExactly("grpo", "rloo-lag1");
    for (JsonNode variant : root) {
      assertThat(variant.get("seeds")).extracting(JsonNode::asLong).containsExactly(5L, 6L);
      JsonNode accuracies = variant.get("accuracies");
      double a = accuracies.get(0).asDouble();
      double b = accuracies.get(1).asDouble();
      assertThat(variant.get("accuracy_mean").asDouble()).isCloseTo((a + b) / 2, within(1e-12));
      assertThat(variant.get("accuracy_std").asDouble())
          .isCloseTo(Math.abs(a - b) / Math.sqrt(2), within(1e-12));
      // the budget ends each run after its first iteration, long before rollout.iterations
      assertThat(variant.get("iterations").asDouble()).isEqualTo(1.0);
      assertThat(variant.get("wall_seconds").asDouble()).isPositive();
      assertThat(variant.get("gen_tokens_per_s").asDouble()).isPositive();
      assertThat(variant.get("train_tokens_per_s").asDouble()).isPositive();
      assertThat(variant.get("logprob_gap_max").asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(out.resolve("cmp-rloo-lag1-s6/summary.json")).exists();
    // --set reached its variant alone
    assertThat(Files.readString(out.resolve("cmp-rloo-lag1-s5/config.yaml")))
        .contains("actor_lr: 0.002");
    assertThat(Files.readString(out.resolve("cmp-grpo-s5/config.yaml")))
        .doesNotContain("actor_lr: 0.002");
  }

  /**
   * A learning rate far too high: the first update blows the weights up, the losses after it are
   * not finite and are skipped, and after {@code sft.max_skipped_updates} in a row the job fails
   * with {@link TrainingDivergedException} naming the step and the loss.
   */
  @Test
  void aDivergingPolicyStopsTheJobWithTrainingDivergedException() {
    Map<String, String> overrides =
        Map.of(
            "algorithm.name", "grpo",
            "algorithm.actor_lr", "1.0e30",
            "algorithm.epochs", "2",
            "sft.max_skipped_updates", "3");
    assertThatThrownBy(() -> run("diverged", overrides))
        .hasRootCauseInstanceOf(TrainingDivergedException.class)
        .rootCause()
        .hasMessageContaining("after 3 consecutive skipped steps");
  }

  /**
   * Prompts longer than the limit go to dead-letters/rlhf.jsonl and the run goes on without them.
   */
  @Test
  void promptsOverTheLimitAreSetAsideAndTheRunGoesOn() throws Exception {
    // Starts up to 20 give prompts of different lengths (the tiny task's are all alike).
    Map<String, String> task = Map.of("task.arith.start_max", "20");
    RunConfig base = config("overflow-probe", task);
    int count = base.rollout().promptsPerBatch() * base.rollout().iterations();
    int[] lengths;
    try (Tokenizer tokenizer = Tokenizers.load(base.policy().tokenizer())) {
      lengths =
          TaskData.prompts(base, count).problems().stream()
              .mapToInt(p -> PromptFormat.prompt(tokenizer, p.question()).length)
              .sorted()
              .toArray();
    }
    int limit = lengths[lengths.length - 1] - 1; // the longest prompts go
    long tooLong = Arrays.stream(lengths).filter(l -> l > limit).count();
    assertThat(tooLong).isPositive().isLessThan(lengths.length);
    int maxNewTokens = base.policy().maxSeqLen() - limit;
    RlhfJob.Result result =
        run(
            "overflow",
            Map.of(
                "task.arith.start_max",
                "20",
                "rollout.max_new_tokens",
                Integer.toString(maxNewTokens)));
    assertThat(result.deadLetters()).isEqualTo(tooLong);
    assertThat(Files.readAllLines(out.resolve("rl-overflow/dead-letters/rlhf.jsonl")))
        .hasSize((int) tooLong)
        .allSatisfy(line -> assertThat(line).contains("rollout.prompt_overflow: dead_letter"));
    assertThat(result.iterations()).isEqualTo(3);
  }

  /**
   * A run that fails once after a checkpoint resumes from it (trainer state, rollout in flight,
   * prompt position) and ends with the weights of a run that never failed.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aRunThatFailsResumesFromItsCheckpointAndEndsWithTheSameWeights() throws Exception {
    Map<String, String> overrides =
        Map.of(
            "rollout.iterations", "8",
            "rollout.max_staleness", "1",
            "algorithm.adaptive_kl", "true",
            "checkpointing.interval", "100ms");
    RlhfJob.Result clean = run("recover-clean", overrides);
    RunConfig config = config("recover-failed", overrides);
    PrintWriter print = new PrintWriter(new StringWriter(), true);
    RlhfJob.Result resumed;
    int slots = Math.max(2, config.placement().rolloutParallelism());
    try (JobRunner runner = new JobRunner(slots, false, print)) {
      RunDirectory run = RunDirectory.create(config, Clock.systemUTC());
      runner.configureJobs(env -> Pipeline.configure(config, env, run));
      resumed =
          RlhfJob.run(
              config,
              run,
              runner,
              sft,
              null,
              new MetricsTable(),
              0,
              new Progress(print, false, 1),
              scored -> scored.map(new FailOnceAfterCheckpoint()).setParallelism(1));
    }
    assertThat(FailOnceAfterCheckpoint.FAILED).as("the injected failure happened").isTrue();
    // Batches after the failure start past batch 0: the job restored a checkpoint, not the start.
    assertThat(FailOnceAfterCheckpoint.firstAfterFailure()).isPositive();
    assertThat(out.resolve("recover-failed/checkpoints/rl-state")).isDirectory();
    assertThat(resumed.weightsSha256()).isEqualTo(clean.weightsSha256());
  }

  /**
   * DESIGN.md §3 across TaskManagers: rollout at parallelism 2 over two TaskManagers of one slot
   * each; the TaskManager of one rollout subtask is terminated mid-run and a new one started. The
   * job restores its last checkpoint and ends with the weights of the uninterrupted run.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void losingARolloutTaskManagerMidRunEndsWithTheUninterruptedWeights() throws Exception {
    Map<String, String> overrides = layoutRecovery();
    RlhfJob.Result clean = run("tm-clean", overrides);
    try (MiniCluster cluster = twoTaskManagers()) {
      CompletableFuture<RlhfJob.Result> job = atBatch4(cluster, "tm-lost", overrides);
      cluster.terminateTaskManager(1).get();
      cluster.startTaskManager();
      LayoutHook.RELEASED.countDown();
      RlhfJob.Result recovered = job.get(5, TimeUnit.MINUTES);
      assertThat(LayoutHook.restarted()).as("the job restarted from a checkpoint").isTrue();
      assertThat(recovered.weightsSha256()).isEqualTo(clean.weightsSha256());
    }
  }

  /**
   * Stop with a savepoint at rollout parallelism 2, resume from it at parallelism 1: the same final
   * weights as the uninterrupted run.
   */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aSavepointResumesAtAnotherRolloutParallelismWithTheSameWeights() throws Exception {
    Map<String, String> overrides = layoutRecovery();
    RlhfJob.Result clean = run("sp-clean", overrides);
    try (MiniCluster cluster = twoTaskManagers()) {
      CompletableFuture<RlhfJob.Result> stopped = atBatch4(cluster, "sp-first", overrides);
      JobID running =
          cluster.listJobs().get().stream()
              .filter(j -> j.getJobState() == JobStatus.RUNNING)
              .filter(j -> j.getJobName().startsWith("rlflow rlhf"))
              .findFirst()
              .orElseThrow()
              .getJobId();
      // The savepoint's barrier passes the held batch once it is released: the job stops there.
      CompletableFuture<String> stopping =
          cluster.stopWithSavepoint(
              running,
              out.resolve("savepoints").toUri().toString(),
              false,
              SavepointFormatType.CANONICAL);
      LayoutHook.RELEASED.countDown();
      String savepoint = stopping.get();
      assertThatThrownBy(() -> stopped.get(2, TimeUnit.MINUTES))
          .hasRootCauseMessage("The rlhf job ended without writing its final checkpoint");

      Map<String, String> oneRollout = new HashMap<>(overrides);
      oneRollout.put("placement.rollout_parallelism", "1");
      RlhfJob.Result resumed = runOn(cluster, "sp-resumed", oneRollout, savepoint);
      assertThat(resumed.weightsSha256()).isEqualTo(clean.weightsSha256());
    }
  }

  /** Starts the RL job on {@code cluster}; returns it once it is past batch 4 and a checkpoint. */
  private static CompletableFuture<RlhfJob.Result> atBatch4(
      MiniCluster cluster, String id, Map<String, String> overrides) throws Exception {
    LayoutHook.reset();
    CompletableFuture<RlhfJob.Result> job =
        CompletableFuture.supplyAsync(() -> runOn(cluster, id, overrides, null));
    LayoutHook.awaitBatch4(job);
    return job;
  }

  private static Map<String, String> layoutRecovery() {
    return Map.of(
        "rollout.iterations", "12",
        "rollout.max_staleness", "1",
        "placement.rollout_parallelism", "2",
        "checkpointing.interval", "100ms");
  }

  /** A cluster of two TaskManagers with one slot each: each runs one of two rollout subtasks. */
  private static MiniCluster twoTaskManagers() throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(2)
                .setNumSlotsPerTaskManager(1)
                .build());
    cluster.start();
    return cluster;
  }

  /** The RL job on {@code cluster}, through its REST endpoint, from {@code savepoint} if given. */
  private static RlhfJob.Result runOn(
      MiniCluster cluster, String id, Map<String, String> overrides, String savepoint) {
    try {
      RunConfig config = config(id, overrides);
      PrintWriter print = new PrintWriter(new StringWriter(), true);
      java.net.URI rest = cluster.getRestAddress().get();
      try (JobRunner runner =
          JobRunner.remote(rest.getHost() + ":" + rest.getPort(), Optional.empty(), print)) {
        RunDirectory run = RunDirectory.create(config, Clock.systemUTC());
        runner.configureJobs(
            env -> {
              Pipeline.configure(config, env, run);
              if (savepoint != null) {
                Configuration restore = new Configuration();
                restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                // The one state without a uid is the client's collect sink's (results not yet
                // fetched), which a new client does not want; every RL operator has a uid.
                restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
                env.configure(restore);
              }
            });
        return RlhfJob.run(
            config,
            run,
            runner,
            sft,
            null,
            new MetricsTable(),
            0,
            new Progress(print, false, 1),
            scored -> scored.map(new LayoutHook()).setParallelism(1));
      }
    } catch (Exception e) {
      throw new java.util.concurrent.CompletionException(e);
    }
  }

  /**
   * Before the trainer: opens {@link #REACHED} at batch 4 once a checkpoint completed after batch
   * 2, and holds that batch until {@link #RELEASED}, so that the test acts mid-run.
   */
  static final class LayoutHook implements MapFunction<RlBatch, RlBatch>, CheckpointListener {
    static volatile CountDownLatch REACHED = new CountDownLatch(1);
    static volatile CountDownLatch RELEASED = new CountDownLatch(1);
    static final List<Long> SEEN = new CopyOnWriteArrayList<>();
    private static volatile boolean checkpointAfterBatch2;

    static void reset() {
      REACHED = new CountDownLatch(1);
      RELEASED = new CountDownLatch(1);
      SEEN.clear();
      checkpointAfterBatch2 = false;
    }

    /** Waits until batch 4 passed after a checkpoint, failing early with the job's failure. */
    static void awaitBatch4(CompletableFuture<RlhfJob.Result> job) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (!REACHED.await(1, TimeUnit.SECONDS)) {
        if (job.isDone()) {
          job.get(); // rethrows the job's failure
          throw new AssertionError("the job ended before batch 4: " + SEEN);
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("batch 4 not reached in 3 minutes: " + SEEN);
        }
      }
    }

    /** Whether some batch reached the trainer twice: the job went back to a checkpoint. */
    static boolean restarted() {
      return SEEN.size() > new java.util.HashSet<>(SEEN).size();
    }

    @Override
    public RlBatch map(RlBatch batch) throws InterruptedException {
      SEEN.add(batch.batch());
      if (checkpointAfterBatch2 && batch.batch() >= 4 && REACHED.getCount() > 0) {
        REACHED.countDown();
        // Held here, once, until the test has acted on the running job (or a minute passed).
        RELEASED.await(1, TimeUnit.MINUTES);
      }
      return batch;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (SEEN.contains(2L)) {
        checkpointAfterBatch2 = true;
      }
    }
  }

  /**
   * Fails the job once, at the first batch from 4 on that arrives after a checkpoint which
   * completed once batch 2 had passed; remembers the batches it saw.
   */
  static final class FailOnceAfterCheckpoint
      implements MapFunction<RlBatch, RlBatch>, CheckpointListener {
    static volatile boolean FAILED;
    static final List<Long> SEEN = new CopyOnWriteArrayList<>();
    private static volatile long failedAt = -1;
    private static volatile boolean checkpointAfterBatch2;

    @Override
    public RlBatch map(RlBatch batch) {
      SEEN.add(batch.batch());
      if (!FAILED && checkpointAfterBatch2 && batch.batch() >= 4) {
        FAILED = true;
        failedAt = SEEN.size();
        throw new IllegalStateException("injected failure at batch " + batch.batch());
      }
      return batch;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      if (SEEN.contains(2L)) {
        checkpointAfterBatch2 = true;
      }
    }

    static long firstAfterFailure() {
      return failedAt < 0 || failedAt >= SEEN.size() ? -1 : SEEN.get((int) failedAt);
    }
  }

  private static RlhfJob.Result run(String id, Map<String, String> overrides) throws Exception {
    RunConfig config = config(id.contains("-") ? id : "rl-" + id, overrides);
    PrintWriter print = new PrintWriter(new StringWriter(), true);
    int slots = Math.max(2, config.placement().rolloutParallelism());
    try (JobRunner runner = new JobRunner(slots, false, print)) {
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
