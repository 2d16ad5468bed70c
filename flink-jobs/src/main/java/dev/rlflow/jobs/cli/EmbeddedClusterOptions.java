package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** Options of the embedded Flink cluster, shared by the commands that run jobs on it. */
final class EmbeddedClusterOptions {
  @Option(
      names = "--no-web-ui",
      description =
          "Run the embedded cluster without Flink's web dashboard (its REST API stays, on"
              + " localhost).")
  boolean noWebUi;

  /** A runner on an embedded cluster sized by {@code placement.slots_per_taskmanager}. */
  JobRunner runner(RunConfig config, PrintWriter out) {
    return new JobRunner(config.placement().slotsPerTaskManager(), !noWebUi, out);
  }
}
