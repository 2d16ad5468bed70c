package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rlflow eval CONFIG [--checkpoint DIR]}: held-out accuracy of a policy as a Flink job. */
@Command(
    name = "eval",
    description = {
      "Evaluate a policy checkpoint on the held-out problems (a Flink job): greedy and sampled",
      "accuracy, pass@k, per chain length, and step accuracy from the ground-truth checker."
    },
    mixinStandardHelpOptions = true)
final class EvalCommand implements Callable<Integer> {
  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description = "The policy (Hugging Face layout). Default: policy.checkpoint.")
  Path checkpoint;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig config = source.load();
    PrintWriter out = spec.commandLine().getOut();
    try (JobRunner runner = cluster.runner(config, out)) {
      new Pipeline(config, out, Clock.systemUTC())
          .run(
              List.of(Pipeline.Stage.EVAL),
              Optional.ofNullable(checkpoint).map(Path::toString),
              runner);
    }
    return 0;
  }
}
