package dev.rlflow.jobs.pipeline;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.PrintWriter;
import java.util.Objects;

/**
 * What every stage of one pipeline run shares: the configuration, the run directory, the cluster,
 * the run's {@code metrics.csv} (training stages append rows) and the console.
 *
 * @param config the run's configuration
 * @param run the run directory
 * @param runner the cluster the jobs run on
 * @param metrics the run's metrics table, appended to by training stages
 * @param out the console
 * @param startNanos {@link System#nanoTime()} when the run started
 * @param compareWithPerStepMc whether {@code prm_collect} also collects with the per-step Monte
 *     Carlo baseline
 */
record StageContext(
    RunConfig config,
    RunDirectory run,
    JobRunner runner,
    MetricsTable metrics,
    PrintWriter out,
    long startNanos,
    boolean compareWithPerStepMc) {
  StageContext {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(runner, "runner");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(out, "out");
  }

  /** Seconds since the run started: where a training stage's metrics rows start their clock. */
  double secondsSinceStart() {
    return Pipeline.seconds(startNanos);
  }

  /** Progress lines on the console. */
  Progress progress() {
    return Progress.console(out);
  }
}
