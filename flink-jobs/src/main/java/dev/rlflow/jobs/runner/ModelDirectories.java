package dev.rlflow.jobs.runner;

import dev.rlflow.model.checkpoint.DirectoryTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Model checkpoint directories (the Hugging Face layout rlflow's models read and write) at any URI
 * Flink's FileSystem reaches: {@code file://} and plain paths directly, others ({@code hdfs://})
 * staged through a local directory, because the model code reads and writes local files.
 *
 * <p>Saving to a remote URI writes the checkpoint locally, uploads it beside the target under a
 * temporary name and renames it into place: a reader never sees a half-uploaded checkpoint. Reading
 * one downloads it once per JVM into a temporary directory, deleted when the JVM exits.
 */
public final class ModelDirectories {
  /** Remote checkpoints downloaded by this JVM, by URI. */
  private static final Map<String, java.nio.file.Path> DOWNLOADED = new ConcurrentHashMap<>();

  private ModelDirectories() {}

  /** Writes a checkpoint into a local directory it is given. */
  @FunctionalInterface
  public interface Writer {
    void write(java.nio.file.Path dir) throws IOException;
  }

  /** Whether {@code uri} names a local directory (no scheme, or {@code file:}). */
  public static boolean isLocal(String uri) {
    String scheme = new Path(uri).toUri().getScheme();
    return scheme == null || scheme.equals("file");
  }

  /**
   * Saves a checkpoint with {@code writer} at {@code target}, replacing what was there; returns
   * where it is, as later stages and {@link #local} take it: a local path, or the URI.
   */
  public static String save(Path target, Writer writer) throws IOException {
    if (isLocal(target.toString())) {
      java.nio.file.Path dir = java.nio.file.Path.of(target.toUri().getPath());
      writer.write(dir);
      return dir.toString();
    }
    java.nio.file.Path staging = Files.createTempDirectory("rlflow-checkpoint");
    try {
      writer.write(staging);
      FileSystem fs = target.getFileSystem();
      Path uploading =
          new Path(target.getParent(), "." + target.getName() + "-" + UUID.randomUUID());
      upload(staging, fs, uploading);
      fs.delete(target, true);
      if (!fs.rename(uploading, target)) {
        throw new IOException("Cannot rename " + uploading + " to " + target);
      }
      return target.makeQualified(fs).toString();
    } finally {
      deleteLocal(staging);
    }
  }

  /**
   * A local directory holding the checkpoint at {@code uri}: the directory itself when it is local,
   * else a copy downloaded once per JVM.
   *
   * @throws NoSuchFileException when there is no directory at {@code uri}
   */
  public static java.nio.file.Path local(String uri) throws IOException {
    if (isLocal(uri)) {
      return java.nio.file.Path.of(new Path(uri).toUri().getPath());
    }
    Path source = new Path(uri);
    // Keyed by the files' newest modification time too: a run that reuses a run id replaces its
    // checkpoints, and a long-lived TaskManager must not keep reading the earlier copy.
    String key = uri + "@" + newestModification(source);
    try {
      return DOWNLOADED.computeIfAbsent(
          key,
          k -> {
            try {
              return download(source);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static long newestModification(Path dir) throws IOException {
    FileSystem fs = dir.getFileSystem();
    if (!fs.exists(dir) || !fs.getFileStatus(dir).isDir()) {
      throw new NoSuchFileException(dir.toString(), null, "not a checkpoint directory");
    }
    long newest = 0;
    for (FileStatus status : fs.listStatus(dir)) {
      newest = Math.max(newest, status.getModificationTime());
    }
    return newest;
  }

  private static java.nio.file.Path download(Path source) throws IOException {
    FileSystem fs = source.getFileSystem();
    java.nio.file.Path dir = Files.createTempDirectory("rlflow-checkpoint");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteLocal(dir)));
    copyDown(fs, source, dir);
    return dir;
  }

  private static void copyDown(FileSystem fs, Path from, java.nio.file.Path to) throws IOException {
    for (FileStatus status : fs.listStatus(from)) {
      java.nio.file.Path local = to.resolve(status.getPath().getName());
      if (status.isDir()) {
        Files.createDirectories(local);
        copyDown(fs, status.getPath(), local);
      } else {
        try (InputStream in = fs.open(status.getPath())) {
          Files.copy(in, local);
        }
      }
    }
  }

  private static void upload(java.nio.file.Path from, FileSystem fs, Path to) throws IOException {
    List<java.nio.file.Path> files;
    try (Stream<java.nio.file.Path> walk = Files.walk(from)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    fs.mkdirs(to);
    for (java.nio.file.Path file : files) {
      Path target = new Path(to, from.relativize(file).toString().replace('\\', '/'));
      try (OutputStream out = fs.create(target, FileSystem.WriteMode.OVERWRITE)) {
        Files.copy(file, out);
      }
    }
  }

  /** Deletes a local directory tree; never throws (a temporary copy left behind is harmless). */
  private static void deleteLocal(java.nio.file.Path dir) {
    try {
      DirectoryTree.delete(dir);
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }
}
