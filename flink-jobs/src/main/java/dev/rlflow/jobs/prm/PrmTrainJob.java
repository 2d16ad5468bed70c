package dev.rlflow.jobs.prm;

import dev.rlflow.core.config.PrmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.jobs.traces.ProcessLabelFiles;
import dev.rlflow.training.loop.TrainingMetric;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The {@code prm-train} job: process labels from Avro files (any Flink filesystem) → one trainer
 * subtask → the PRM checkpoint {@code checkpoints/prm-<objective>} and {@code prm-eval.json}.
 *
 * <pre>
 * label files ─► PrmTrainerOperator ─► metrics, dead letters, evaluation ─► client
 *                   └─ checkpoints/prm-soft (Hugging Face layout + score head + prm.json)
 * </pre>
 */
public final class PrmTrainJob {
  private PrmTrainJob() {}

  /** The checkpoint directory of a PRM inside a run directory. */
  public static String checkpoint(RunConfig config) {
    return "checkpoints/prm-" + objective(config);
  }

  /** The name of {@code prm.objective}: soft, hard or pairwise. */
  public static String objective(RunConfig config) {
    return PrmTrainerOperator.name(config.prm().objective());
  }

  /**
   * Trains a PRM on the labels under {@code labels}; {@code policy} starts the backbone when {@code
   * prm.init} is policy (may be null otherwise). Writes {@code prm-eval.json} and, if any label was
   * set aside, {@code dead-letters/prm-train.jsonl}.
   */
  public static PrmEval run(
      RunConfig config,
      RunDirectory run,
      JobRunner runner,
      Path labels,
      String policy,
      MetricsTable metrics,
      double runStartSeconds,
      Progress progress)
      throws Exception {
    if (!labels.getFileSystem().exists(labels)) {
      throw new IllegalArgumentException(
          "No process labels at " + labels + ": run prm-collect first, or pass --labels URI");
    }
    RunContext context = RunContext.of(config, run);
    long start = System.nanoTime();
    List<String> deadLetters = new ArrayList<>();
    PrmEval[] eval = {null};
    runner.collect(
        "rlflow prm-train " + run.runId(),
        env -> {
          env.setRuntimeMode(RuntimeExecutionMode.BATCH);
          return env.fromSource(
                  ProcessLabelFiles.source(labels),
                  WatermarkStrategy.noWatermarks(),
                  "process labels (" + labels + ")")
              .transform(
                  "prm trainer",
                  TypeInformation.of(PrmTrainEvent.class),
                  new PrmTrainerOperator(context, policy, checkpoint(config)))
              .setParallelism(1);
        },
        event -> {
          if (event.deadLetter() != null) {
            deadLetters.add(event.deadLetter());
          } else if (event.eval() != null) {
            eval[0] = event.eval();
          } else {
            TrainingMetric metric = event.metric();
            Map<String, Double> row = new LinkedHashMap<>();
            row.put("loss", metric.loss());
            row.put("lr", metric.lr());
            row.put("grad_norm", metric.gradNorm());
            metrics.add(
                "prm-train",
                metric.step(),
                runStartSeconds + (System.nanoTime() - start) / 1e9,
                row);
            progress.step(
                "prm-train",
                metric.step(),
                metric.totalSteps(),
                String.format(
                    Locale.ROOT,
                    "loss %.4f  lr %.2e  %,.0f %s/s",
                    metric.loss(),
                    metric.lr(),
                    metric.tokensPerSecond(),
                    config.prm().objective() == PrmConfig.Objective.PAIRWISE ? "pairs" : "steps"));
          }
        });
    metrics.write(run.resolve(MetricsTable.FILE_NAME));
    if (!deadLetters.isEmpty()) {
      Path file = run.resolve("dead-letters/prm-train.jsonl");
      writeLines(file, deadLetters);
      progress.note(deadLetters.size() + " process labels set aside in " + file);
    }
    if (eval[0] == null) {
      throw new IllegalStateException("The prm-train job ended without its evaluation");
    }
    eval[0].write(run.resolve(PrmEval.FILE_NAME));
    return eval[0];
  }

  private static void writeLines(Path file, List<String> lines) throws IOException {
    try (OutputStream out = file.getFileSystem().create(file, FileSystem.WriteMode.OVERWRITE)) {
      for (String line : lines) {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
    }
  }
}
