package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rlflow quickstart}: the main pipeline on the embedded default ({@code
 * conf/quickstart.yaml}), from a fresh policy through process labels and a PRM to RL and its
 * control.
 */
@Command(
    name = "quickstart",
    description = {
      "Run the main pipeline on the embedded default.",
      "Uses conf/quickstart.yaml (CPU, Flink MiniCluster, outputs under runs/).",
      "Stages: sft (warm start of a tiny policy on 1000 arith demonstrations), eval",
      "(held-out accuracy, per chain length), prm-collect (OmegaPRM process labels), prm-train",
      "(a process reward model on those labels), rl (algorithm.name, raft by default: its",
      "verified solutions of fresh problems; the PRM's step rewards with reward.step_weight > 0),",
      "eval of the RL policy, control (continued SFT for RL's wall time) and its",
      "eval, then the run report: accuracy before and after RL beside the control, reward and",
      "KL curves."
    },
    mixinStandardHelpOptions = true)
final class QuickstartCommand implements Callable<Integer> {
  @Option(
      names = "-D",
      paramLabel = "key.path=value",
      description = "Override a configuration key, e.g. -Dsft.updates=500.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Mixin EmbeddedClusterOptions cluster;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig config = ConfigSource.loadQuickstart(overrides);
    PrintWriter out = spec.commandLine().getOut();
    try (JobRunner runner = cluster.runner(config, out)) {
      new Pipeline(config, out, Clock.systemUTC())
          .run(
              List.of(
                  Pipeline.Stage.SFT,
                  Pipeline.Stage.EVAL,
                  Pipeline.Stage.PRM_COLLECT,
                  Pipeline.Stage.PRM_TRAIN,
                  Pipeline.Stage.RLHF,
                  Pipeline.Stage.EVAL,
                  Pipeline.Stage.CONTROL,
                  Pipeline.Stage.EVAL),
              Optional.empty(),
              runner);
    }
    return 0;
  }
}
