package dev.rlflow.resharding.checkpoint;

import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Fragment files on the local filesystem, which the checkpoint reads and writes through NIO
 * channels rather than Hadoop's streams: bytes then move between the file and native memory (a
 * libtorch tensor's) in one copy, and Hadoop's {@code .crc} side files, which duplicate the
 * fragments' own CRC32C, are neither computed nor read. Any other filesystem goes through its
 * Hadoop streams.
 */
final class LocalFiles {
  private LocalFiles() {}

  /** {@code path} as a local file when {@code fs} is Hadoop's local filesystem. */
  static Optional<java.nio.file.Path> of(FileSystem fs, Path path) {
    if (fs instanceof LocalFileSystem local) {
      return Optional.of(local.pathToFile(path).toPath());
    }
    if (fs instanceof RawLocalFileSystem raw) {
      return Optional.of(raw.pathToFile(path).toPath());
    }
    return Optional.empty();
  }
}
