package dev.rlflow.jobs.sft;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.core.config.SftConfig;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.training.loop.TrainingMetric;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The {@code sft} job: the task's demonstrations ({@code task.train_examples} of the train split) →
 * one trainer subtask → metrics back to the client, which writes {@code metrics.csv} and shows
 * progress.
 *
 * <pre>
 * demonstrations ─► SftTrainerOperator ─► TrainingMetric ─► client (metrics.csv, progress)
 *                      └─ checkpoints/sft-step-N, checkpoints/sft (Hugging Face layout)
 * </pre>
 */
public final class SftJob {
  private SftJob() {}

  /** What the stage produced. */
  public record Result(
      String checkpoint, double finalLoss, long updates, int deadLetters, double wallSeconds) {}

  /** Runs SFT for {@code config} into {@code run}, adding rows to {@code metrics}. */
  public static Result run(
      RunConfig config,
      RunDirectory run,
      JobRunner runner,
      MetricsTable metrics,
      double runStartSeconds,
      Progress progress)
      throws Exception {
    return train(
        config, run, runner, metrics, runStartSeconds, progress, SftTrainerOperator.Plan.SFT);
  }

  /** Where RL's control writes its policy. */
  public static final String CONTROL_CHECKPOINT = "checkpoints/control";

  /**
   * RL's control: continued SFT of {@code policy} on the same demonstrations for {@code seconds} of
   * training, at the constant learning rate the SFT schedule ended with ({@code sft.lr x
   * sft.min_lr_ratio} for cosine), into {@link #CONTROL_CHECKPOINT} with metrics of stage {@code
   * control}. RL must beat this to show that its gain is not just more training.
   */
  public static Result control(
      RunConfig config,
      RunDirectory run,
      JobRunner runner,
      MetricsTable metrics,
      double runStartSeconds,
      Progress progress,
      String policy,
      double seconds)
      throws Exception {
    SftConfig sft = config.sft();
    double finalLr = SftTrainerOperator.schedule(sft).lr(sft.updates());
    RunConfig continued =
        RunConfigLoader.parse(
            config.toYaml(),
            config.source(),
            Map.of(
                "policy.checkpoint",
                policy,
                "sft.schedule",
                "constant",
                "sft.lr",
                Double.toString(finalLr),
                "sft.warmup_updates",
                "0",
                "sft.updates",
                Integer.toString(Integer.MAX_VALUE),
                "sft.checkpoint_every",
                Integer.toString(Integer.MAX_VALUE)));
    return train(
        continued,
        run,
        runner,
        metrics,
        runStartSeconds,
        progress,
        new SftTrainerOperator.Plan("control", CONTROL_CHECKPOINT, seconds));
  }

  private static Result train(
      RunConfig config,
      RunDirectory run,
      JobRunner runner,
      MetricsTable metrics,
      double runStartSeconds,
      Progress progress,
      SftTrainerOperator.Plan plan)
      throws Exception {
    TaskData demonstrations = TaskData.load(config, TaskData.Split.TRAIN);
    int deadLetters = demonstrations.writeDeadLetters(run.resolve("dead-letters/sft.jsonl"));
    if (deadLetters > 0) {
      progress.note(
          deadLetters
              + " malformed demonstration lines set aside in "
              + run.resolve("dead-letters/sft.jsonl"));
    }
    RunContext context = RunContext.of(config, run);
    long start = System.nanoTime();
    String[] checkpoint = {""};
    double[] lastLoss = {Double.NaN};
    long[] updates = {0};
    runner.collect(
        "rlflow " + plan.stage() + " " + run.runId(),
        env -> {
          env.setRuntimeMode(RuntimeExecutionMode.BATCH);
          return env.fromData(demonstrations.problems(), TypeInformation.of(ProblemRecord.class))
              .name("demonstrations (" + demonstrations.source() + ")")
              .transform(
                  "sft trainer",
                  TypeInformation.of(TrainingMetric.class),
                  new SftTrainerOperator(context, plan))
              .setParallelism(1);
        },
        metric -> {
          Map<String, Double> row = new LinkedHashMap<>();
          row.put("loss", metric.loss());
          row.put("lr", metric.lr());
          row.put("grad_norm", metric.gradNorm());
          row.put("tokens_per_s", metric.tokensPerSecond());
          metrics.add(
              plan.stage(),
              metric.step(),
              runStartSeconds + (System.nanoTime() - start) / 1e9,
              row);
          if (!metric.checkpoint().isEmpty()) {
            checkpoint[0] = metric.checkpoint();
          }
          lastLoss[0] = metric.loss();
          updates[0] = metric.step();
          progress.step(
              plan.stage(),
              metric.step(),
              metric.totalSteps(),
              String.format(
                  Locale.ROOT,
                  "loss %.4f  lr %.2e  %,.0f tok/s",
                  metric.loss(),
                  metric.lr(),
                  metric.tokensPerSecond()));
        });
    metrics.write(run.resolve(MetricsTable.FILE_NAME));
    if (checkpoint[0].isEmpty()) {
      throw new IllegalStateException(
          "The " + plan.stage() + " job ended without writing its final checkpoint");
    }
    return new Result(
        checkpoint[0], lastLoss[0], updates[0], deadLetters, (System.nanoTime() - start) / 1e9);
  }
}
