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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rlflow prm-train CONFIG}: a process reward model from process-label files. */
@Command(
    name = "prm-train",
    description = {
      "Train a process reward model (a Flink job) on ProcessLabel Avro files, with the",
      "objective of prm.objective (soft, hard or pairwise). Writes checkpoints/prm-<objective>",
      "(Hugging Face layout + score head + prm.json) and prm-eval.json."
    },
    mixinStandardHelpOptions = true)
final class PrmTrainCommand implements Callable<Integer> {
  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;

  @Option(
      names = "--labels",
      paramLabel = "URI",
      description =
          "Directory of ProcessLabel Avro files, a path or FileSystem URI (hdfs://…)."
              + " Default: <run.output_dir>/latest/traces/process-labels.")
  String labels;

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description =
          "The policy whose backbone starts the PRM (prm.init policy). Default: policy.checkpoint,"
              + " else <run.output_dir>/latest/checkpoints/sft.")
  String checkpoint;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig config = source.load();
    PrintWriter out = spec.commandLine().getOut();
    String defaultLabels = config.run().outputDir() + "/latest/traces/process-labels";
    org.apache.flink.core.fs.Path labelDir =
        new org.apache.flink.core.fs.Path(
            labels != null
                ? labels
                : LatestRun.path(config, "traces/process-labels").orElse(defaultLabels));
    Optional<String> policy = LatestRun.policy(config, checkpoint);
    try (JobRunner runner = cluster.runner(config, out)) {
      Pipeline.builder(config, out, Clock.systemUTC())
          .optLabels(labelDir)
          .build()
          .run(List.of(Pipeline.Stage.PRM_TRAIN), policy, runner);
    }
    return 0;
  }
}
