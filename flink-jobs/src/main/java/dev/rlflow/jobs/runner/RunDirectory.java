package dev.rlflow.jobs.runner;

import dev.rlflow.core.config.RunConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The directory of one run, {@code <run.output_dir>/<run id>}, on any filesystem Flink can write
 * ({@code file://}, {@code hdfs://} with the Hadoop plugin). It holds the resolved configuration
 * and every output of the run; on a local filesystem {@code <output_dir>/latest} points to it.
 *
 * @param runId the run's id
 * @param path the directory
 */
public record RunDirectory(String runId, Path path) {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /**
   * Creates the run's directory and writes {@code config.yaml}, the fully resolved configuration
   * with its provenance.
   */
  public static RunDirectory create(RunConfig config, Clock clock) throws IOException {
    String runId = config.run().id().orElseGet(() -> defaultId(config.source(), clock));
    Path dir = new Path(new Path(config.run().outputDir()), runId);
    FileSystem fs = dir.getFileSystem();
    if (!fs.mkdirs(dir)) {
      throw new IOException("Cannot create run directory " + dir);
    }
    String header =
        "# rlflow run "
            + runId
            + "\n# source: "
            + config.source()
            + "\n# config hash: "
            + config.configHash()
            + "\n# written: "
            + clock.instant()
            + "\n";
    try (OutputStream out =
        fs.create(new Path(dir, "config.yaml"), FileSystem.WriteMode.OVERWRITE)) {
      out.write((header + config.toYaml()).getBytes(StandardCharsets.UTF_8));
    }
    RunDirectory run = new RunDirectory(runId, dir);
    run.pointLatestHere();
    return run;
  }

  /** A path inside the run directory. */
  public Path resolve(String relative) {
    return new Path(path, relative);
  }

  /** {@code <config file name>-<UTC time>}, e.g. {@code quickstart-20261122-170100}. */
  static String defaultId(String source, Clock clock) {
    String name = Paths.get(source).getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    base = base.replaceAll("[^A-Za-z0-9._-]", "_");
    return base + "-" + STAMP.format(clock.instant());
  }

  /** Repoints {@code <output_dir>/latest} at this run; only on a local filesystem. */
  private void pointLatestHere() throws IOException {
    if (path.getFileSystem().isDistributedFS()) {
      return;
    }
    java.nio.file.Path local = Paths.get(path.toUri().getPath());
    java.nio.file.Path latest = local.resolveSibling("latest");
    Files.deleteIfExists(latest);
    Files.createSymbolicLink(latest, local.getFileName());
  }
}
