package dev.rlflow.resharding.checkpoint;

import dev.rlflow.resharding.checkpoint.CorruptVersionException.Reason;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A fragment file, opened on first use: its stream and length, with reads whose failures become
 * named problems.
 */
final class FragmentStream {
  private static final int CHUNK_BYTES = 256 << 10;

  final String uri;
  private final Path path;
  private FSDataInputStream in;
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

  /** Bytes [position, position + bytes), which fit one array. */
  byte[] read(String tensor, long position, long bytes) throws IOException {
    byte[] buffer = new byte[(int) bytes];
    readFully(tensor, position, buffer, buffer.length);
    return buffer;
  }

  /** The CRC32C of {@code fragment}'s bytes, read in chunks of {@link #CHUNK_BYTES}. */
  long crc32c(String tensor, FragmentEntry fragment) throws IOException {
    return crc32c(tensor, fragment, null);
  }

  /**
   * As {@link #crc32c(String, FragmentEntry)}, also putting the bytes into {@code copy} when it is
   * not null: one pass over the file, and no array as large as the fragment.
   */
  long crc32c(String tensor, FragmentEntry fragment, ByteBuffer copy) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, fragment.bytes())];
    for (long at = fragment.begin(); at < fragment.end(); at += chunk.length) {
      int length = (int) Math.min(chunk.length, fragment.end() - at);
      readFully(tensor, at, chunk, length);
      crc.update(chunk, 0, length);
      if (copy != null) {
        copy.put(chunk, 0, length);
      }
    }
    return crc.getValue();
  }

  private void readFully(String tensor, long position, byte[] buffer, int length)
      throws IOException {
    try {
      // Seek and read, not a positioned read: the latter reopens the file on every call on the
      // checksummed local filesystem, and whole versions are read in file order anyway.
      if (in.getPos() != position) {
        in.seek(position);
      }
      in.readFully(buffer, 0, length);
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
  }

  void close() throws IOException {
    if (in != null) {
      in.close();
    }
  }
}
