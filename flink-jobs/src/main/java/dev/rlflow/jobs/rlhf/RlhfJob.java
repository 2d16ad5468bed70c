package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.config.RolloutConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.task.dataset.DeadLetter;
import dev.rlflow.jobs.policy.PromptFormat;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The RLHF job ({@code rlflow run}, DESIGN.md §3):
 *
 * <pre>
 * PromptSource ─► Rollout (async, version max(0, b − s)) ─► Reward (verifier + PRM) ─► keyBy(b)
 *      ─► Trainer (advantages, PPO epochs; publishes version b + 1) ─► metrics ─► client
 *            ▲                                                 │
 *            └──────── in-memory WeightStore (out of band) ◄───┘
 * </pre>
 *
 * Prompts are fresh training problems (not among the SFT demonstrations), {@code
 * rollout.prompts_per_batch} per batch, cycling when the iterations need more. A prompt too long
 * for {@code policy.max_seq_len - rollout.max_new_tokens} is truncated or set aside in {@code
 * dead-letters/rlhf.jsonl}, per {@code rollout.prompt_overflow}.
 */
public final class RlhfJob {
  private RlhfJob() {}

  /** How long the rollout waits for a policy version before the job fails. */
  static final Duration VERSION_TIMEOUT = Duration.ofMinutes(30);

  /** What the job produced. */
  public record Result(
      String checkpoint,
      String weightsSha256,
      long iterations,
      int deadLetters,
      double wallSeconds,
      List<RlMetric> metrics) {}

  /** The prompt batches of a run, and the prompts set aside. */
  record Prompts(List<PromptBatch> batches, List<DeadLetter> deadLetters) {}

  /** Trains the policy at {@code checkpoint} with RL; {@code prm} may be null (outcome only). */
  public static Result run(
      RunConfig config,
      RunDirectory run,
      JobRunner runner,
      String checkpoint,
      String prm,
      MetricsTable metrics,
      double runStartSeconds,
      Progress progress)
      throws Exception {
    return run(
        config,
        run,
        runner,
        checkpoint,
        prm,
        metrics,
        runStartSeconds,
        progress,
        UnaryOperator.identity());
  }

  /**
   * {@link #run}, with {@code beforeTrainer} applied to the scored batches on their way to the
   * trainer (the recovery test inserts a failure there).
   */
  static Result run(
      RunConfig config,
      RunDirectory run,
      JobRunner runner,
      String checkpoint,
      String prm,
      MetricsTable metrics,
      double runStartSeconds,
      Progress progress,
      UnaryOperator<DataStream<RlBatch>> beforeTrainer)
      throws Exception {
    RolloutConfig rollout = config.rollout();
    Prompts prompts;
    try (Tokenizer tokenizer = Tokenizers.load(config.policy().tokenizer())) {
      int fresh = rollout.promptsPerBatch() * rollout.iterations();
      prompts = prompts(config, TaskData.prompts(config, fresh).problems(), tokenizer);
    }
    int deadLetters =
        new TaskData(List.of(), prompts.deadLetters(), "rlhf prompts")
            .writeDeadLetters(run.resolve("dead-letters/rlhf.jsonl"));
    if (deadLetters > 0) {
      progress.note(
          deadLetters + " prompts too long set aside in " + run.resolve("dead-letters/rlhf.jsonl"));
    }
    RunContext context = RunContext.of(config, run);
    long start = System.nanoTime();
    List<RlMetric> collected = new ArrayList<>();
    runner.collect(
        "rlflow rlhf " + run.runId(),
        env -> {
          DataStream<PromptBatch> source =
              env.fromData(prompts.batches(), TypeInformation.of(PromptBatch.class))
                  .name("prompts")
                  .setParallelism(1);
          DataStream<GeneratedBatch> rollouts =
              AsyncDataStream.orderedWait(
                      source,
                      new RolloutFunction(context, checkpoint, VERSION_TIMEOUT),
                      VERSION_TIMEOUT.toMillis() + 60_000,
                      TimeUnit.MILLISECONDS,
                      rollout.maxStaleness() + 1)
                  .name("rollout")
                  .setParallelism(1);
          DataStream<RlBatch> scored =
              rollouts.map(new RewardFunction(context, prm)).name("reward").setParallelism(1);
          return beforeTrainer
              .apply(scored)
              .keyBy(RlBatch::batch)
              .process(new RlTrainerFunction(context, checkpoint))
              .name("trainer")
              .setParallelism(1);
        },
        metric -> {
          collected.add(metric);
          metrics.add(
              "rl",
              metric.iteration() + 1,
              runStartSeconds + (System.nanoTime() - start) / 1e9,
              row(metric));
          progress.step(
              "rl",
              metric.iteration() + 1,
              rollout.iterations(),
              String.format(
                  Locale.ROOT,
                  "reward %.3f  acc %.3f  kl %.3f  %,.0f gen tok/s",
                  metric.rewardMean(),
                  metric.accuracy(),
                  metric.kl(),
                  metric.genTokensPerSecond()));
        });
    metrics.write(run.resolve(MetricsTable.FILE_NAME));
    RlMetric last = collected.isEmpty() ? null : collected.get(collected.size() - 1);
    if (last == null || last.checkpoint().isEmpty()) {
      throw new IllegalStateException("The rlhf job ended without writing its final checkpoint");
    }
    return new Result(
        last.checkpoint(),
        last.weightsSha256(),
        collected.size(),
        deadLetters,
        (System.nanoTime() - start) / 1e9,
        List.copyOf(collected));
  }

  /** The metrics of one iteration as a {@code metrics.csv} row. */
  static Map<String, Double> row(RlMetric m) {
    Map<String, Double> row = new LinkedHashMap<>();
    row.put("reward", m.rewardMean());
    row.put("accuracy", m.accuracy());
    row.put("step_reward", m.stepRewardMean());
    row.put("kl", m.kl());
    row.put("kl_coef", m.klCoef());
    row.put("entropy", m.entropy());
    row.put("clip_fraction", m.clipFraction());
    row.put("policy_loss", m.policyLoss());
    row.put("value_loss", m.valueLoss());
    row.put("response_length", m.responseLength());
    row.put("gen_tokens_per_s", m.genTokensPerSecond());
    row.put("train_tokens_per_s", m.trainTokensPerSecond());
    row.put("generation_s", m.generationSeconds());
    row.put("wait_s", m.waitSeconds());
    row.put("reward_s", m.rewardSeconds());
    row.put("train_s", m.trainSeconds());
    row.put("iteration_s", m.iterationSeconds());
    row.put("orchestration", m.orchestration());
    row.put("logprob_gap_mean", m.logProbGapMean());
    row.put("logprob_gap_max", m.logProbGapMax());
    return row;
  }

  /**
   * Groups {@code problems} into {@code rollout.iterations} batches of {@code
   * rollout.prompts_per_batch}, cycling through them; prompts too long are truncated or set aside.
   *
   * @throws IllegalArgumentException when no prompt is left
   */
  static Prompts prompts(RunConfig config, List<ProblemRecord> problems, Tokenizer tokenizer) {
    RolloutConfig rollout = config.rollout();
    int limit = config.policy().maxSeqLen() - rollout.maxNewTokens();
    List<Prompt> usable = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      ProblemRecord p = problems.get(i);
      int[] tokens = PromptFormat.prompt(tokenizer, p.question());
      if (tokens.length > limit) {
        if (rollout.promptOverflow() == RolloutConfig.PromptOverflow.DEAD_LETTER) {
          deadLetters.add(
              new DeadLetter(
                  "rlhf prompts",
                  i + 1,
                  p.question(),
                  "prompt of "
                      + tokens.length
                      + " tokens exceeds policy.max_seq_len - rollout.max_new_tokens = "
                      + limit
                      + " (rollout.prompt_overflow: dead_letter)"));
          continue;
        }
        int[] kept = new int[limit];
        kept[0] = tokens[0]; // bos
        System.arraycopy(tokens, tokens.length - (limit - 1), kept, 1, limit - 1);
        tokens = kept;
      }
      usable.add(new Prompt(0, p.id(), p.question(), p.answer(), tokens));
    }
    if (usable.isEmpty()) {
      throw new IllegalArgumentException(
          "No RL prompt fits policy.max_seq_len - rollout.max_new_tokens = "
              + limit
              + " tokens: all "
              + problems.size()
              + " were set aside");
    }
    List<PromptBatch> batches = new ArrayList<>(rollout.iterations());
    int next = 0;
    for (int b = 0; b < rollout.iterations(); b++) {
      List<Prompt> batch = new ArrayList<>(rollout.promptsPerBatch());
      for (int g = 0; g < rollout.promptsPerBatch(); g++) {
        batch.add(usable.get(next++ % usable.size()).inGroup(g));
      }
      batches.add(new PromptBatch(b, batch));
    }
    return new Prompts(batches, deadLetters);
  }
}
