package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * What commands that train several runs from one policy share: {@code --checkpoint DIR}, the policy
 * they start from, and how their runs are named.
 */
final class MultiRunOptions {
  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description =
          "The policy every run starts from. Default: policy.checkpoint, else"
              + " <run.output_dir>/latest/checkpoints/sft.")
  String checkpoint;

  /**
   * The policy to start from.
   *
   * @throws ParameterException when none is given and no run has trained one
   */
  String policy(RunConfig base, CommandLine command) {
    return LatestRun.policy(base, checkpoint)
        .orElseThrow(
            () ->
                new ParameterException(
                    command, "No policy to start from: pass --checkpoint DIR or run sft first"));
  }

  /** The prefix of the runs' ids: {@code run.id}, else {@code <kind>-<UTC time>}. */
  static String runPrefix(RunConfig base, String kind) {
    return base.run()
        .id()
        .orElseGet(
            () ->
                kind
                    + "-"
                    + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                        .withZone(ZoneOffset.UTC)
                        .format(Clock.systemUTC().instant()));
  }
}
