package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rlflow sft CONFIG}: supervised warm start as a Flink job. */
@Command(
    name = "sft",
    description = {
      "Supervised warm start on the task's demonstrations (a Flink job).",
      "Writes checkpoints (Hugging Face layout), metrics.csv, summary.json and report.html."
    },
    mixinStandardHelpOptions = true)
final class SftCommand implements Callable<Integer> {
  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig config = source.load();
    PrintWriter out = spec.commandLine().getOut();
    try (JobRunner runner = cluster.runner(config, out)) {
      new Pipeline(config, out, Clock.systemUTC())
          .run(List.of(Pipeline.Stage.SFT), Optional.empty(), runner);
    }
    return 0;
  }
}
