package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.prm.LabelCollection;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
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

/** {@code rlflow prm-collect CONFIG}: process labels by OmegaPRM as a Flink job. */
@Command(
    name = "prm-collect",
    description = {
      "Collect process labels with OmegaPRM (a Flink job): questions the policy was not trained",
      "on, searched with the policy as completer and the answer verifier as oracle.",
      "Labels go to Avro files (and Kafka when traces.kafka_bootstrap is set);",
      "figures to prm-collect.json. --compare-mc also runs the per-step Monte Carlo baseline."
    },
    mixinStandardHelpOptions = true)
final class PrmCollectCommand implements Callable<Integer> {
  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description = "The policy (Hugging Face layout). Default: policy.checkpoint.")
  Path checkpoint;

  @Option(
      names = "--compare-mc",
      description =
          "Also collect with per-step Monte Carlo (Math-Shepherd) on the same questions and print"
              + " rollouts, labels, labels per 1000 rollouts and label accuracy of both.")
  boolean compareMc;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description =
          "Also write the figures to FILE: {\"omegaprm\": {...}, \"per_step_mc\": {...}}.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig config = source.load();
    PrintWriter out = spec.commandLine().getOut();
    Pipeline pipeline =
        Pipeline.builder(config, out, Clock.systemUTC()).optCompareWithPerStepMc(compareMc).build();
    Pipeline.Result result;
    try (JobRunner runner = cluster.runner(config, out)) {
      result =
          pipeline.execute(
              List.of(Pipeline.Stage.PRM_COLLECT),
              Optional.ofNullable(checkpoint).map(Path::toString),
              runner);
    }
    if (json != null) {
      LabelCollection collection = result.labelCollection().orElseThrow();
      Files.write(json, collection.toJson());
      out.println("wrote " + json);
    }
    return 0;
  }
}
