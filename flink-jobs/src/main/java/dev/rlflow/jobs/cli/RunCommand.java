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

/** {@code rlflow run CONFIG}: the RLHF job, then evaluation of the trained policy. */
@Command(
    name = "run",
    description = {
      "RL from a policy checkpoint (a Flink job): algorithm.name ppo, grpo, rloo,",
      "reinforce_pp or raft, with outcome rewards from reward.verifier and, given a PRM and",
      "reward.step_weight > 0, step rewards from the PRM. Writes checkpoints/rl and metrics.csv",
      "(reward, accuracy, KL, entropy, clip fraction, value loss, tokens/s, time per stage),",
      "then evaluates checkpoints/rl on the held-out problems. With --control, also the",
      "starting policy and RL's control, as the quickstart does."
    },
    mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description =
          "The policy RL starts from (and the reference of the KL penalty). Default:"
              + " policy.checkpoint, else <run.output_dir>/latest/checkpoints/sft.")
  String checkpoint;

  @Option(
      names = "--prm",
      paramLabel = "DIR",
      description =
          "The PRM of the step rewards. Default: <run.output_dir>/latest/checkpoints/prm-"
              + "<prm.objective> if it exists; none gives outcome rewards only.")
  String prm;

  @Option(
      names = "--control",
      description =
          "Also evaluate the starting policy, then train RL's control (continued SFT on the"
              + " demonstrations for RL's wall time) and evaluate it: summary.json gets"
              + " eval_accuracy (the starting policy), rl_accuracy and control_accuracy, and the"
              + " report puts them side by side, as in the quickstart.")
  boolean control;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig config = source.load();
    PrintWriter out = spec.commandLine().getOut();
    Optional<String> policy = LatestRun.policy(config, checkpoint);
    try (JobRunner runner = cluster.runner(config, out)) {
      Pipeline.builder(config, out, Clock.systemUTC())
          .optPrms(LatestRun.prms(config, prm))
          .build()
          .run(stages(), policy, runner);
    }
    return 0;
  }

  private List<Pipeline.Stage> stages() {
    return control
        ? List.of(
            Pipeline.Stage.EVAL,
            Pipeline.Stage.RLHF,
            Pipeline.Stage.EVAL,
            Pipeline.Stage.CONTROL,
            Pipeline.Stage.EVAL)
        : List.of(Pipeline.Stage.RLHF, Pipeline.Stage.EVAL);
  }
}
