package dev.rlflow.jobs.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * The jar {@code submit} ships to a cluster: {@code rlflow-flink.jar}, which the build writes
 * beside {@code rlflow.jar}. Never {@code rlflow.jar} itself: it bundles DJL and Flink, and a job
 * that brings DJL in its own class loader breaks every later job on the TaskManager (PyTorch's
 * native library loads once per JVM).
 */
final class JobJar {
  static final String NAME = "rlflow-flink.jar";

  private JobJar() {}

  /**
   * {@code given}, else {@value #NAME} beside the jar this process runs from, checked; empty when
   * rlflow runs from class directories (tests, an IDE), whose classes the cluster already has.
   *
   * @throws NoSuchFileException when the jar is missing
   * @throws IllegalArgumentException when it is not a job jar rlflow can ship
   */
  static Optional<Path> resolve(Optional<Path> given) throws IOException {
    Optional<Path> jar = given.or(JobJar::besideOwnJar);
    if (jar.isEmpty()) {
      return jar;
    }
    Path path = jar.get();
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(
          path.toString(),
          null,
          given.isPresent()
              ? "the --jar to ship"
              : "the job jar submit ships; `mvn package` writes it beside rlflow.jar, or pass --jar");
    }
    try (JarFile file = new JarFile(path.toFile())) {
      if (file.getEntry("dev/rlflow/jobs/cli/RlflowCommand.class") == null) {
        throw new IllegalArgumentException(
            "Invalid value " + path + " for --jar: not an rlflow job jar (no RlflowCommand)");
      }
      if (file.getEntry("ai/djl/engine/Engine.class") != null
          || file.getEntry("org/apache/flink/streaming/api/datastream/DataStream.class") != null) {
        throw new IllegalArgumentException(
            "Invalid value "
                + path
                + " for --jar: it bundles DJL or Flink, which must come from the cluster's lib/;"
                + " ship "
                + NAME);
      }
    }
    return jar;
  }

  private static Optional<Path> besideOwnJar() {
    try {
      Path own = Path.of(JobJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return own.toString().endsWith(".jar")
          ? Optional.of(own.resolveSibling(NAME))
          : Optional.empty();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot locate rlflow's own jar", e);
    }
  }
}
