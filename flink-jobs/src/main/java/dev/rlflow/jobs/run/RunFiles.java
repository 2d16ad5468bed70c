package dev.rlflow.jobs.run;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.UUID;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Whole-file reads and replacements of the small files in a run directory, on any filesystem Flink
 * can write.
 */
public final class RunFiles {
  /**
   * Reads and writes the run's JSON files: indented, unknown keys ignored (a newer writer may add
   * some), but every key a record declares must be present and non-null where it is a number.
   */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private RunFiles() {}

  /**
   * Replaces {@code file} with {@code content} so that readers see the old or the new file, never a
   * partial one: the bytes go to a hidden sibling that is then renamed over the target.
   *
   * <p>A local rename replaces the target atomically; a filesystem whose rename refuses an existing
   * target (HDFS) gets delete-then-rename, where a reader may briefly find no file at all.
   */
  public static void replace(Path file, byte[] content) throws IOException {
    FileSystem fs = file.getFileSystem();
    Path parent = file.getParent();
    if (parent != null && !fs.exists(parent) && !fs.mkdirs(parent)) {
      throw new IOException("Cannot create directory " + parent);
    }
    Path tmp = new Path(parent, "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = fs.create(tmp, FileSystem.WriteMode.NO_OVERWRITE)) {
      out.write(content);
    }
    if (fs.rename(tmp, file)) {
      return;
    }
    if (fs.exists(file) && fs.delete(file, false) && fs.rename(tmp, file)) {
      return;
    }
    fs.delete(tmp, false);
    throw new IOException("Cannot replace " + file + " with " + tmp);
  }

  /** The file's bytes, or empty when there is no such file. */
  private static Optional<byte[]> readIfPresent(Path file) throws IOException {
    FileSystem fs = file.getFileSystem();
    if (!fs.exists(file)) {
      return Optional.empty();
    }
    try (InputStream in = fs.open(file)) {
      return Optional.of(in.readAllBytes());
    }
  }

  /** The file's bytes; a missing file is an error naming it. */
  public static byte[] read(Path file) throws IOException {
    return readIfPresent(file).orElseThrow(() -> new IOException("No such file: " + file));
  }
}
