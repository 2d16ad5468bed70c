package dev.rlflow.resharding.checkpoint;

import dev.rlflow.resharding.checkpoint.CorruptVersionException.Reason;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A fragment file, opened on first use: its stream (a channel on the local filesystem, see {@link
 * LocalFiles}) and length, with reads whose failures become named problems.
 */
final class FragmentStream {
  private static final int CHUNK_BYTES = 1 << 20;

  final String uri;
  private final Path path;
  private FSDataInputStream in;
  private FileChannel channel;
  long length;

  FragmentStream(String uri, Path path) {
    this.uri = uri;
    this.path = path;
  }

  /** Opens the file if needed and checks that it holds {@code fragment}'s byte range. */
  FragmentStream open(FileSystem fs, FragmentEntry fragment) throws IOException {
    if (in == null && channel == null) {
      try {
        Optional<java.nio.file.Path> local = LocalFiles.of(fs, path);
        if (local.isPresent()) {
          channel = FileChannel.open(local.get(), StandardOpenOption.READ);
          length = channel.size();
        } else {
          length = fs.getFileStatus(path).getLen();
          in = fs.open(path);
        }
      } catch (FileNotFoundException | NoSuchFileException e) {
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
    readFully(tensor, position, ByteBuffer.wrap(buffer));
    return buffer;
  }

  /** The CRC32C of {@code fragment}'s bytes, read in chunks of {@link #CHUNK_BYTES}. */
  long crc32c(String tensor, FragmentEntry fragment) throws IOException {
    return crc32c(tensor, fragment, null);
  }

  /**
   * As {@link #crc32c(String, FragmentEntry)}, also putting the bytes into {@code copy} when it is
   * not null: one pass over the file, each chunk checked while it is in the cache, and no array as
   * large as the fragment; from a local file the bytes go straight into {@code copy}.
   */
  long crc32c(String tensor, FragmentEntry fragment, ByteBuffer copy) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer chunk = null;
    for (long at = fragment.begin(); at < fragment.end(); at += CHUNK_BYTES) {
      int length = (int) Math.min(CHUNK_BYTES, fragment.end() - at);
      ByteBuffer target;
      if (copy != null && channel != null) {
        target = copy.slice(copy.position(), length);
        copy.position(copy.position() + length);
      } else {
        if (chunk == null) {
          chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, fragment.bytes()));
        }
        target = chunk.clear().limit(length);
      }
      readFully(tensor, at, target);
      crc.update(target.flip());
      if (copy != null && channel == null) {
        copy.put(target.flip());
      }
    }
    return crc.getValue();
  }

  /** Fills {@code buffer} from its position to its limit with the bytes at {@code position}. */
  private void readFully(String tensor, long position, ByteBuffer buffer) throws IOException {
    try {
      if (channel != null) {
        for (long at = position; buffer.hasRemaining(); ) {
          int n = channel.read(buffer, at);
          if (n < 0) {
            throw new EOFException();
          }
          at += n;
        }
        return;
      }
      // Seek and read, not a positioned read: the latter reopens the file on the checksummed
      // local filesystem, and whole versions are read in file order anyway.
      if (in.getPos() != position) {
        in.seek(position);
      }
      in.readFully(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
      buffer.position(buffer.limit());
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
    if (channel != null) {
      channel.close();
    }
  }
}
