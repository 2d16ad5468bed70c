package dev.rlflow.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code checkpointing} section: Flink checkpoints and the weights/optimizer checkpoints they
 * point to.
 *
 * @param interval time between Flink checkpoints
 * @param directory where checkpoints go; empty for {@code <run dir>/checkpoints}
 * @param keep how many completed checkpoints are retained
 */
public record CheckpointConfig(Duration interval, Optional<String> directory, int keep) {

  static final ConfigOption<Duration> INTERVAL =
      ConfigOption.of(
          "checkpointing.interval",
          ValueType.DURATION,
          Duration.ofSeconds(60),
          Rule.positiveDuration(),
          "Time between Flink checkpoints (500ms, 30s, 5m, 1h).");
  static final ConfigOption<String> DIRECTORY =
      ConfigOption.optional(
          "checkpointing.directory",
          ValueType.STRING,
          Rule.nonEmpty(),
          "Checkpoint directory, a path or FileSystem URI (hdfs://...). Unset:"
              + " <run dir>/checkpoints.");
  static final ConfigOption<Integer> KEEP =
      ConfigOption.of(
          "checkpointing.keep",
          ValueType.INT,
          2,
          Rule.atLeast(1),
          "Completed checkpoints retained.");

  static final List<ConfigOption<?>> OPTIONS = List.of(INTERVAL, DIRECTORY, KEEP);

  static CheckpointConfig from(ConfigValues v) {
    return new CheckpointConfig(v.get(INTERVAL), v.optional(DIRECTORY), v.get(KEEP));
  }
}
