package dev.rlflow.resharding.store;

import dev.rlflow.resharding.checkpoint.CheckpointWriter;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layout of a {@link FilesystemWeightStore}'s root directory: version {@code v} in {@code
 * v<v>}, committed once its commit marker exists; retired versions under {@code .retired-v<v>-…}
 * until a background thread has deleted them; {@code _FINISHED}, holding the last version, once the
 * trainer has ended the run. The store decides what to publish, keep and read; this class only
 * names, lists, moves and deletes.
 */
final class StoreRoot {
  /** The file that records the end of the run. */
  static final String FINISHED_FILE = "_FINISHED";

  private static final Pattern VERSION_DIRECTORY = Pattern.compile("v(\\d+)");

  /** Where a retired version waits for its deletion: not a version directory's name. */
  private static final String RETIRED_PREFIX = ".retired-v";

  /** How long closing waits for retired versions to be deleted. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(StoreRoot.class);

  final FileSystem fs;
  final Path root;
  private ExecutorService deleter; // created on the first retirement; guarded by this

  StoreRoot(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  /** The directory of {@code version}. */
  Path directory(long version) {
    return new Path(root, "v" + version);
  }

  boolean committed(long version) throws IOException {
    return fs.exists(new Path(directory(version), CheckpointWriter.MARKER_FILE));
  }

  TreeSet<Long> committedVersions() throws IOException {
    TreeSet<Long> committed = new TreeSet<>();
    for (long v : versionDirectories()) {
      if (committed(v)) {
        committed.add(v);
      }
    }
    return committed;
  }

  /** The numbers of the {@code v<number>} directories, committed or not. */
  TreeSet<Long> versionDirectories() throws IOException {
    TreeSet<Long> versions = new TreeSet<>();
    for (FileStatus child : children()) {
      Matcher m = VERSION_DIRECTORY.matcher(child.getPath().getName());
      if (child.isDirectory() && m.matches()) {
        versions.add(Long.parseLong(m.group(1)));
      }
    }
    return versions;
  }

  /**
   * Takes {@code version} away at once by renaming its directory out of the versions' names (one
   * metadata operation: a reader sees it gone, never damaged) and deletes it in the background:
   * freeing a large version's bytes costs a sixth of writing them, which the trainer need not wait
   * for.
   */
  void retire(long version) throws IOException {
    Path retired = new Path(root, RETIRED_PREFIX + version + "-" + UUID.randomUUID());
    if (!fs.rename(directory(version), retired)) {
      throw new IOException("cannot rename " + directory(version) + " to " + retired);
    }
    deleteLater(retired);
  }

  /** Deletes, in the background, what an earlier publisher retired but did not delete. */
  void deleteLeftovers() throws IOException {
    for (FileStatus child : children()) {
      if (child.getPath().getName().startsWith(RETIRED_PREFIX)) {
        deleteLater(child.getPath());
      }
    }
  }

  /** Writes {@code _FINISHED} under a temporary name and renames it: never seen half-written. */
  void writeFinished(long lastVersion) throws IOException {
    Path temporary = new Path(root, "." + FINISHED_FILE + ".tmp-" + UUID.randomUUID());
    try (var out = fs.create(temporary, false)) {
      out.write(Long.toString(lastVersion).getBytes(StandardCharsets.US_ASCII));
    }
    if (!fs.rename(temporary, new Path(root, FINISHED_FILE))) {
      throw new IOException("cannot rename " + temporary + " into place");
    }
  }

  /** The version {@code _FINISHED} holds, or empty while there is none. */
  OptionalLong readFinished() throws IOException {
    Path file = new Path(root, FINISHED_FILE);
    byte[] bytes;
    try (var in = fs.open(file)) {
      bytes = in.readAllBytes();
    } catch (FileNotFoundException notFinished) {
      return OptionalLong.empty();
    }
    String text = new String(bytes, StandardCharsets.US_ASCII).trim();
    try {
      return OptionalLong.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new IOException("Malformed " + file + ": '" + text + "' is no version");
    }
  }

  void clearFinished() throws IOException {
    fs.delete(new Path(root, FINISHED_FILE), false);
  }

  /** Lets retired versions finish deleting for up to {@link #CLOSE_WAIT}. */
  void close() {
    ExecutorService retiring;
    synchronized (this) {
      retiring = deleter;
    }
    if (retiring != null) {
      retiring.shutdown();
      try {
        retiring.awaitTermination(CLOSE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized void deleteLater(Path retired) {
    if (deleter == null) {
      deleter =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "rlflow-weight-store-retention");
                t.setDaemon(true);
                return t;
              });
    }
    deleter.execute(
        () -> {
          try {
            fs.delete(retired, true);
          } catch (IOException e) {
            LOG.warn("Cannot delete the retired policy version {}", retired, e);
          }
        });
  }

  private FileStatus[] children() throws IOException {
    try {
      return fs.listStatus(root);
    } catch (FileNotFoundException nothingPublishedYet) {
      return new FileStatus[0];
    }
  }
}
