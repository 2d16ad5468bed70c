package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Defaults taken from the newest run, {@code <run.output_dir>/latest}: resolved to real paths
 * before a command creates its own run directory (which repoints {@code latest} at itself).
 */
final class LatestRun {
  private LatestRun() {}

  /**
   * The policy a command starts from: {@code given} (its --checkpoint), else {@code
   * policy.checkpoint}, else the newest run's {@code checkpoints/sft}.
   */
  static Optional<String> policy(RunConfig config, String given) {
    return Optional.ofNullable(given)
        .or(() -> config.policy().checkpoint())
        .or(() -> path(config, "checkpoints/sft"));
  }

  /** What {@code --prm} takes for "no PRM": outcome rewards only. */
  static final String NO_PRM = "none";

  /**
   * The PRM of {@code prm.objective}: {@code given} (its --prm; {@value #NO_PRM} for none), else
   * the newest run's.
   */
  static Optional<String> prm(RunConfig config, String given) {
    if (NO_PRM.equals(given)) {
      return Optional.empty();
    }
    return Optional.ofNullable(given)
        .or(() -> path(config, "checkpoints/prm-" + objective(config)));
  }

  /** {@link #prm} as the pipeline takes it: {@code prm.objective} to the directory, or empty. */
  static Map<String, String> prms(RunConfig config, String given) {
    return prm(config, given).map(dir -> Map.of(objective(config), dir)).orElse(Map.of());
  }

  private static String objective(RunConfig config) {
    return config.prm().objective().name().toLowerCase(Locale.ROOT);
  }

  /** {@code relative} inside the newest run, if it exists there. */
  static Optional<String> path(RunConfig config, String relative) {
    return existing(Path.of(config.run().outputDir(), "latest").resolve(relative));
  }

  /** The real path of {@code path} if it exists, so that it names the same run later. */
  static Optional<String> existing(Path path) {
    try {
      return Files.exists(path) ? Optional.of(path.toRealPath().toString()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
