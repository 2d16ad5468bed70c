package dev.rlflow.model.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory and everything under it, as checkpoints are written: a staging directory of a
 * checkpoint that failed half-way, or a trainer's save of checkpoints (its policy, critic and older
 * versions) in the RL job.
 */
public final class DirectoryTree {
  private DirectoryTree() {}

  /** Deletes {@code root} and everything under it, if it exists; deepest paths first. */
  public static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
