package dev.rlflow.resharding.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.model.checkpoint.Safetensors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes one version of a universal checkpoint (ALGORITHMS.md §7) into a directory of any Hadoop
 * FileSystem: each rank writes its own fragments with {@link #writeRank}, in flattened buckets (one
 * safetensors file per rank, a new one each {@code maxFileBytes}), never a file per tensor; then
 * one party {@link #commit}s them: the index, then the commit marker that holds the index's CRC32C.
 * Every file is written under a temporary name and renamed into place, and the marker comes last,
 * so a reader never sees a half-written version (Universal Checkpointing: save distributed, load
 * consolidated into any layout).
 */
public final class CheckpointWriter {
  /** The index's name in a version directory. */
  public static final String INDEX_FILE = "index.json";

  /** The commit marker's name: a version is visible once it exists. */
  public static final String MARKER_FILE = "_COMMITTED";

  /** Bucket size: 512 MiB, the top of the 256–512 MB range of ALGORITHMS.md §8. */
  public static final long DEFAULT_MAX_FILE_BYTES = 512L << 20;

  /** Native bytes reach the stream in pieces this large. */
  private static final int CHUNK_BYTES = 1 << 20;

  private final FileSystem fs;
  private final Path dir;
  private final long maxFileBytes;

  /**
   * A writer of the version directory {@code dir} on {@code fs}, whose fragment files hold at most
   * {@code maxFileBytes} of tensor bytes each (a larger fragment gets a file of its own).
   */
  public CheckpointWriter(FileSystem fs, Path dir, long maxFileBytes) {
    if (maxFileBytes < 1 || maxFileBytes > Safetensors.MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          "Invalid value "
              + maxFileBytes
              + " for maxFileBytes: must be in [1, "
              + Safetensors.MAX_FILE_BYTES
              + "]");
    }
    this.fs = fs;
    this.dir = dir;
    this.maxFileBytes = maxFileBytes;
  }

  /**
   * What a rank holds of one tensor.
   *
   * @param globalShape the whole tensor's shape
   * @param offsets where {@code data} starts in it
   * @param data the box's elements
   */
  public record Fragment(long[] globalShape, long[] offsets, TensorBytes data) {
    public Fragment {
      globalShape = globalShape.clone();
      offsets = offsets.clone();
      if (!new TensorRegion(offsets, data.shape()).within(globalShape)) {
        throw new IllegalArgumentException(
            "Invalid fragment "
                + new TensorRegion(offsets, data.shape())
                + ": must lie inside the global shape "
                + Arrays.toString(globalShape));
      }
    }

    /** A whole tensor as its only fragment. */
    public static Fragment whole(TensorBytes data) {
      return new Fragment(data.shape(), new long[data.shape().length], data);
    }
  }

  /** A fragment as written, for {@link #commit}: its tensor, dtype, global shape and entry. */
  public record Written(String tensor, TensorDtype dtype, long[] globalShape, FragmentEntry entry) {
    public Written {
      globalShape = globalShape.clone();
    }
  }

  /**
   * Writes the fragments {@code rank} holds, by tensor name, in name order into {@code
   * rank-RRRRR-FFF.safetensors} files.
   *
   * @return the written fragments, to hand to whoever commits
   * @throws FileAlreadyExistsException when the version is committed already
   */
  public List<Written> writeRank(int rank, Map<String, Fragment> fragments) throws IOException {
    requireUncommitted();
    if (fragments.isEmpty()) {
      return List.of();
    }
    Optional<java.nio.file.Path> localDir = LocalFiles.of(fs, dir);
    if (localDir.isPresent()) {
      Files.createDirectories(
          localDir.get()); // Hadoop's mkdirs forks chmod without its native code
    } else {
      fs.mkdirs(dir);
    }
    List<List<Map.Entry<String, TensorBytes>>> files = new ArrayList<>();
    List<Map.Entry<String, TensorBytes>> current = new ArrayList<>();
    long currentBytes = 0;
    for (Map.Entry<String, Fragment> f : new TreeMap<>(fragments).entrySet()) {
      long bytes = f.getValue().data().length();
      if (!current.isEmpty() && currentBytes + bytes > maxFileBytes) {
        files.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(Map.entry(f.getKey(), f.getValue().data()));
      currentBytes += bytes;
    }
    files.add(current);
    List<Written> written = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String name = String.format("rank-%05d-%03d.safetensors", rank, i);
      List<Map.Entry<String, TensorBytes>> pieces = files.get(i);
      FragmentFile.Layout layout = FragmentFile.layout(rank, pieces);
      writeAtomically(
          name,
          out -> {
            out.write(ByteBuffer.wrap(layout.head()));
            for (int p = 0; p < pieces.size(); p++) {
              TensorBytes data = pieces.get(p).getValue();
              long crc = out.write(data.data());
              String tensor = pieces.get(p).getKey();
              Fragment fragment = fragments.get(tensor);
              TensorRegion region = new TensorRegion(fragment.offsets(), fragment.data().shape());
              long begin = layout.begins()[p];
              written.add(
                  new Written(
                      tensor,
                      fragment.data().dtype(),
                      fragment.globalShape(),
                      new FragmentEntry(rank, name, begin, begin + data.length(), region, crc)));
            }
          });
    }
    return written;
  }

  /**
   * Writes the index of {@code fragments} (every rank's) with {@code info}, then the commit marker:
   * from then on the version is visible.
   *
   * @throws IllegalArgumentException when a tensor's fragments disagree on dtype or global shape or
   *     do not tile it
   * @throws FileAlreadyExistsException when the version is committed already
   */
  public CheckpointIndex commit(CheckpointInfo info, Collection<Written> fragments)
      throws IOException {
    Map<String, List<Written>> byTensor = new TreeMap<>();
    fragments.forEach(f -> byTensor.computeIfAbsent(f.tensor(), t -> new ArrayList<>()).add(f));
    Map<String, TensorEntry> tensors = new TreeMap<>();
    byTensor.forEach(
        (name, parts) -> {
          Written first = parts.get(0);
          for (Written part : parts) {
            if (part.dtype() != first.dtype()
                || !Arrays.equals(part.globalShape(), first.globalShape())) {
              throw new IllegalArgumentException(
                  "tensor "
                      + name
                      + ": fragments disagree on dtype or global shape: "
                      + first.dtype()
                      + Arrays.toString(first.globalShape())
                      + " and "
                      + part.dtype()
                      + Arrays.toString(part.globalShape()));
            }
          }
          TensorEntry tensor =
              new TensorEntry(
                  name,
                  first.dtype(),
                  first.globalShape(),
                  parts.stream()
                      .map(Written::entry)
                      .sorted(Comparator.comparingInt(FragmentEntry::rank))
                      .toList());
          tensor
              .tilingProblem()
              .ifPresent(
                  rule -> {
                    throw new IllegalArgumentException("tensor " + name + ": " + rule);
                  });
          tensors.put(name, tensor);
        });
    CheckpointIndex index = new CheckpointIndex(info, tensors);
    requireUncommitted();
    byte[] json = index.toJson();
    writeAtomically(INDEX_FILE, out -> out.write(ByteBuffer.wrap(json)));
    ObjectNode marker = CheckpointIndex.JSON.createObjectNode();
    marker.put("format", CheckpointIndex.FORMAT).put("index", INDEX_FILE);
    marker.put("index_crc32c", crc32c(json));
    byte[] markerBytes = CheckpointIndex.JSON.writeValueAsBytes(marker);
    writeAtomically(MARKER_FILE, out -> out.write(ByteBuffer.wrap(markerBytes)));
    return index;
  }

  /** Writes {@code tensors} whole as rank 0's fragments and commits them with {@code info}. */
  public CheckpointIndex writeWhole(CheckpointInfo info, Map<String, TensorBytes> tensors)
      throws IOException {
    Map<String, Fragment> whole = new TreeMap<>();
    tensors.forEach((name, data) -> whole.put(name, Fragment.whole(data)));
    return commit(info, writeRank(0, whole));
  }

  static long crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return crc.getValue();
  }

  private void requireUncommitted() throws IOException {
    Path marker = new Path(dir, MARKER_FILE);
    if (fs.exists(marker)) {
      throw new FileAlreadyExistsException(
          marker + " exists: a version is committed once and never rewritten");
    }
  }

  private interface Body {
    void write(Sink out) throws IOException;
  }

  /**
   * Where a file's bytes go: a local file's channel (see {@link LocalFiles}), or the filesystem's
   * stream through a chunk; no copy of a whole tensor is made either way, whether its bytes are on
   * the heap or a view of a libtorch tensor.
   */
  private static final class Sink {
    private final FileChannel channel;
    private final OutputStream stream;
    private byte[] chunk;

    Sink(FileChannel channel, OutputStream stream) {
      this.channel = channel;
      this.stream = stream;
    }

    /** Writes {@code bytes} and returns their CRC32C, each piece checked while in the cache. */
    long write(ByteBuffer bytes) throws IOException {
      CRC32C crc = new CRC32C();
      while (bytes.hasRemaining()) {
        int n = Math.min(CHUNK_BYTES, bytes.remaining());
        ByteBuffer piece = bytes.slice(bytes.position(), n);
        bytes.position(bytes.position() + n);
        if (channel != null) {
          crc.update(piece.duplicate());
          while (piece.hasRemaining()) {
            channel.write(piece);
          }
        } else {
          if (chunk == null) {
            chunk = new byte[CHUNK_BYTES];
          }
          piece.get(chunk, 0, n);
          crc.update(chunk, 0, n);
          stream.write(chunk, 0, n);
        }
      }
      return crc.getValue();
    }
  }

  /**
   * Writes {@code name} under a temporary name and renames it into place, replacing what an earlier
   * attempt at this uncommitted version left there (HDFS renames never replace).
   */
  private void writeAtomically(String name, Body body) throws IOException {
    Path target = new Path(dir, name);
    Path temporary = new Path(dir, "." + name + ".tmp-" + UUID.randomUUID());
    boolean renamed = false;
    try {
      Optional<java.nio.file.Path> local = LocalFiles.of(fs, temporary);
      if (local.isPresent()) {
        try (FileChannel channel =
            FileChannel.open(
                local.get(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          body.write(new Sink(channel, null));
        }
      } else {
        try (FSDataOutputStream out = fs.create(temporary, false)) {
          body.write(new Sink(null, out));
        }
      }
      if (!name.equals(MARKER_FILE)) {
        fs.delete(target, false);
      }
      renamed = fs.rename(temporary, target);
      if (!renamed) {
        throw new IOException("cannot rename " + temporary + " to " + target);
      }
    } finally {
      if (!renamed) {
        fs.delete(temporary, false);
      }
    }
  }
}
