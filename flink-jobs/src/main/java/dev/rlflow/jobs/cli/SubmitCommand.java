package dev.rlflow.jobs.cli;

import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.runner.JobRunner;
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

/** {@code rlflow submit CONFIG --jobmanager HOST:PORT}: the same jobs on a running cluster. */
@Command(
    name = "submit",
    description = {
      "Run the pipeline's jobs on a running Flink cluster through its REST endpoint, shipping",
      "rlflow-flink.jar (what `flink run` takes: Flink and DJL come from the cluster's lib/);",
      "the run directory must be reachable from its TaskManagers."
    },
    mixinStandardHelpOptions = true)
final class SubmitCommand implements Callable<Integer> {
  @Mixin ConfigSource source;

  @Option(
      names = "--jobmanager",
      required = true,
      paramLabel = "HOST:PORT",
      description = "The JobManager's REST address, e.g. flink-jobmanager:8081.")
  String jobManager;

  @Option(
      names = "--stages",
      split = ",",
      defaultValue = "sft,eval",
      description = "Stages to run, in order: sft, eval. Default: ${DEFAULT-VALUE}.")
  List<String> stages;

  @Option(
      names = "--jar",
      paramLabel = "JAR",
      description = {
        "The job jar to ship. Default: rlflow-flink.jar beside the jar this command runs from",
        "(flink-jobs/target/rlflow-flink.jar for ./rlflow)."
      })
  Path jar;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<Pipeline.Stage> chosen =
        stages.stream()
            .map(
                name -> {
                  try {
                    return Pipeline.Stage.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
                  } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                        "Invalid value " + name + " for --stages: must be sft or eval");
                  }
                })
            .toList();
    try (JobRunner runner =
        JobRunner.remote(
            jobManager, JobJar.resolve(Optional.ofNullable(jar)), spec.commandLine().getOut())) {
      new Pipeline(source.load(), spec.commandLine().getOut(), Clock.systemUTC())
          .run(chosen, Optional.empty(), runner);
    }
    return 0;
  }
}
