package dev.rlflow.core.config;

import java.util.List;
import java.util.Optional;

/**
 * The {@code run} section: which run this is, its seed and where its outputs go.
 *
 * @param id the run id, the name of its directory under {@code outputDir}; empty to have the runner
 *     choose {@code <config name>-<UTC time>}
 * @param seed the root of every random draw in the run
 * @param outputDir a local path or a Hadoop FileSystem URI ({@code file://}, {@code hdfs://})
 */
public record RunSettings(Optional<String> id, long seed, String outputDir) {

  static final ConfigOption<String> ID =
      ConfigOption.optional(
          "run.id",
          ValueType.STRING,
          Rule.matches(
              "[A-Za-z0-9][A-Za-z0-9._-]{0,127}",
              "be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"),
          "Run id, the name of the run's directory under run.output_dir. Unset: "
              + "<config file name>-<UTC time>, chosen when the run starts.");
  static final ConfigOption<Long> SEED =
      ConfigOption.of(
          "run.seed",
          ValueType.LONG,
          42L,
          Rule.any(),
          "Root seed. Every random draw derives from it and from what it is for, so two runs"
              + " with the same configuration produce the same result.");
  static final ConfigOption<String> OUTPUT_DIR =
      ConfigOption.of(
          "run.output_dir",
          ValueType.STRING,
          "runs",
          Rule.nonEmpty(),
          "Where run directories are written: a local path or a Hadoop FileSystem URI"
              + " (file:///..., hdfs://namenode/...).");

  static final List<ConfigOption<?>> OPTIONS = List.of(ID, SEED, OUTPUT_DIR);

  static RunSettings from(ConfigValues v) {
    return new RunSettings(v.optional(ID), v.get(SEED), v.get(OUTPUT_DIR));
  }
}
