package dev.rlflow.resharding.checkpoint;

import dev.rlflow.resharding.checkpoint.CorruptVersionException.Reason;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A fragment file, opened on first use: its stream and length, with reads whose failures become
 * named problems.
 */
final class FragmentStream {
  final String uri;
  final Path path;
  FSDataInputStream in;
  long length;

  FragmentStream(String uri, Path path) {
    this.uri = uri;
    this.path = path;
  }

  /** Opens the file if needed and checks that it holds {@code fragment}'s byte range. */
  FragmentStream open(FileSystem fs, FragmentEntry fragment) throws IOException {
    if (in == null) {
      try {
        length = fs.getFileStatus(path).getLen();
        in = fs.open(path);
      } catch (FileNotFoundException e) {
        throw new CorruptVersionException(
            uri, null, Reason.MISSING_FILE, "fragment file named by the index is absent", e);
      }
    }
    if (fragment.end() > length) {
      throw new CorruptVersionException(
          uri,
          null,
          Reason.TRUNCATED,
          "file of "
              + length
              + " bytes ends before the fragment ["
              + fragment.begin()
              + ", "
              + fragment.end()
              + ") of rank "
              + fragment.rank());
    }
    return this;
  }

  byte[] read(String tensor, long position, long bytes) throws IOException {
    byte[] buffer = new byte[Math.toIntExact(bytes)];
    try {
      in.readFully(position, buffer);
    } catch (EOFException e) {
      throw new CorruptVersionException(
          uri, tensor, Reason.TRUNCATED, "file ends within bytes at " + position, e);
    } catch (ChecksumException e) {
      throw new CorruptVersionException(
          uri,
          tensor,
          Reason.CHECKSUM_MISMATCH,
          "the filesystem's checksum fails: " + e.getMessage(),
          e);
    }
    return buffer;
  }

  void close() throws IOException {
    if (in != null) {
      in.close();
    }
  }
}
