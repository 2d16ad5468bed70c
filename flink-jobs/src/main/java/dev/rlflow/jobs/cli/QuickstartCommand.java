package dev.rlflow.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rlflow quickstart}: the main job on the embedded default ({@code conf/quickstart.yaml}).
 * It runs the stages that exist so far; SFT, PRM collection and training, RL and evaluation join it
 * as they land.
 */
@Command(
    name = "quickstart",
    description = {
      "Run the main pipeline on the embedded default.",
      "Uses conf/quickstart.yaml (CPU, Flink MiniCluster, outputs under runs/).",
      "Stages so far: dataset (the arith train/test splits, every reference checked)."
    },
    mixinStandardHelpOptions = true)
final class QuickstartCommand implements Callable<Integer> {
  @Option(
      names = "-D",
      paramLabel = "key.path=value",
      description = "Override a configuration key, e.g. -Dtask.train_examples=500.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return DatasetCommand.run(ConfigSource.loadQuickstart(overrides), spec.commandLine().getOut());
  }
}
