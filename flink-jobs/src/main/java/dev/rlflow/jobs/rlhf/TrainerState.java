package dev.rlflow.jobs.rlhf;

import dev.rlflow.training.rl.TrainerCheckpoint;
import java.util.Objects;

/**
 * The trainer's part of a Flink checkpoint, kept in operator state with {@link
 * TrainerStateSerializer}.
 *
 * @param version the policy version published last (batches trained)
 * @param oldest the oldest version saved beside it, {@code max(0, version - max_staleness)}
 * @param counters the trainer's counters (iterations = the RNG state, optimizer steps, KL beta)
 * @param directory the URI (file://, hdfs://) of the universal checkpoint version holding the
 *     trainer's save and the older versions ({@link UniversalTrainerCheckpoint}); format 1 of
 *     {@link TrainerStateSerializer} holds it as it held the local directory before
 */
public record TrainerState(
    long version, long oldest, TrainerCheckpoint.Counters counters, String directory) {
  public TrainerState {
    if (oldest < 0 || oldest > version) {
      throw new IllegalArgumentException(
          "Invalid value " + oldest + " for oldest: must be in [0, version " + version + "]");
    }
    Objects.requireNonNull(counters, "counters");
    Objects.requireNonNull(directory, "directory");
  }
}
