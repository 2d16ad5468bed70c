package dev.rlflow.resharding.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlflow.resharding.checkpoint.CorruptVersionException.Reason;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads one committed version of a universal checkpoint from any Hadoop FileSystem: a tensor whole
 * (consolidated from its fragments) or one box of it (a target layout's shard), reading only the
 * byte ranges of the fragments that overlap the box, with a seek and a read each.
 *
 * <p>A fragment read whole is checked against its CRC32C; one read in part cannot be (its checksum
 * covers all its bytes), so {@link #verify} is what checks a whole version. Damage raises {@link
 * CorruptVersionException}, a version that is not committed {@link UncommittedVersionException};
 * other {@link IOException}s are I/O failures that may pass.
 *
 * <p>Long because opening a version (marker, index, their checks) and its four ways of reading it
 * (a tensor whole or in part, all tensors to the heap or to native memory, verification) share one
 * set of open fragment streams and checksum rules, read best in one place.
 */
public final class CheckpointReader {
  /** Larger index or marker files than this are corrupt, never something to read into memory. */
  private static final long MAX_INDEX_BYTES = 256L << 20;

  /** Adjacent runs of a partial read are joined into reads of up to this many bytes. */
  private static final long MAX_READ_BYTES = 16L << 20;

  /** The most bytes one Java array holds, as the JDK's own collections assume. */
  private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

  private final FileSystem fs;
  private final Path dir;
  private final CheckpointIndex index;

  private CheckpointReader(FileSystem fs, Path dir, CheckpointIndex index) {
    this.fs = fs;
    this.dir = dir;
    this.index = index;
  }

  /**
   * Opens the committed version in {@code dir}: checks that the marker exists and holds the index's
   * CRC32C, then parses and checks the index (reading no fragment).
   *
   * @throws UncommittedVersionException when the directory or its marker is absent, or the marker
   *     does not match the index
   * @throws CorruptVersionException when the marker or index is malformed or the index is absent
   */
  public static CheckpointReader open(FileSystem fs, Path dir) throws IOException {
    String uri = fs.makeQualified(dir).toString();
    Path markerPath = new Path(dir, CheckpointWriter.MARKER_FILE);
    String markerUri = fs.makeQualified(markerPath).toString();
    // Read at once, not looked for first: a reader polls for versions, and on HDFS every look is a
    // NameNode call.
    byte[] markerBytes = readIfPresent(fs, markerPath, markerUri);
    if (markerBytes == null) {
      if (!fs.exists(dir)) {
        throw new UncommittedVersionException(
            uri, UncommittedVersionException.Reason.NO_SUCH_VERSION, "no such version directory");
      }
      throw new UncommittedVersionException(
          uri,
          UncommittedVersionException.Reason.NO_MARKER,
          "no commit marker " + CheckpointWriter.MARKER_FILE + ": the version is not committed");
    }
    JsonNode marker;
    try {
      marker = CheckpointIndex.JSON.readTree(markerBytes);
    } catch (IOException e) {
      throw CheckpointIndex.malformed(markerUri, null, "marker is not JSON: " + e.getMessage(), e);
    }
    JsonNode expected = marker == null ? null : marker.get("index_crc32c");
    if (expected == null || !expected.canConvertToLong()) {
      throw CheckpointIndex.malformed(markerUri, null, "marker holds no index_crc32c", null);
    }
    Path indexPath = new Path(dir, CheckpointWriter.INDEX_FILE);
    String indexUri = fs.makeQualified(indexPath).toString();
    byte[] json = readSmall(fs, indexPath, indexUri);
    long actual = CheckpointWriter.crc32c(json);
    if (actual != expected.longValue()) {
      throw new UncommittedVersionException(
          uri,
          UncommittedVersionException.Reason.MARKER_MISMATCH,
          "the commit marker holds index CRC32C "
              + expected.longValue()
              + " but "
              + CheckpointWriter.INDEX_FILE
              + " has "
              + actual
              + ": the index is not the one committed");
    }
    return new CheckpointReader(fs, dir, CheckpointIndex.parse(indexUri, json));
  }

  /** The version's index. */
  public CheckpointIndex index() {
    return index;
  }

  /** The whole tensor {@code name}, consolidated from its fragments. */
  public TensorBytes read(String name) throws IOException {
    return read(name, TensorRegion.whole(entry(name).shape()));
  }

  /** Every tensor, whole, by name. */
  public Map<String, TensorBytes> readAll() throws IOException {
    Map<String, TensorBytes> tensors = new LinkedHashMap<>();
    // One open stream per fragment file for all tensors: a version is a few bucket files, and an
    // open per tensor would cost a NameNode round trip each on HDFS.
    Map<String, FragmentStream> files = new TreeMap<>();
    try {
      for (TensorEntry tensor : index.tensors().values()) {
        tensors.put(tensor.name(), read(tensor, TensorRegion.whole(tensor.shape()), files));
      }
    } finally {
      closeAll(files);
    }
    return tensors;
  }

  /**
   * Reads every tensor, whole, into the buffer {@code target} gives for it (of exactly its byte
   * length, native memory an engine owns, for example), in index order: a tensor saved as one
   * fragment streams from the file into its buffer, with no Java array as large as the tensor.
   */
  void readAllInto(Function<TensorEntry, ByteBuffer> target) throws IOException {
    Map<String, FragmentStream> files = new TreeMap<>();
    try {
      for (TensorEntry tensor : index.tensors().values()) {
        TensorRegion whole = TensorRegion.whole(tensor.shape());
        ByteBuffer buffer = target.apply(tensor);
        if (buffer.remaining() != whole.volume() * tensor.dtype().bytes) {
          throw new IllegalArgumentException(
              "Invalid buffer of "
                  + buffer.remaining()
                  + " bytes for tensor "
                  + tensor.name()
                  + ": must hold its "
                  + whole.volume() * tensor.dtype().bytes);
        }
        List<FragmentEntry> fragments = tensor.fragments();
        if (fragments.size() == 1 && fragments.get(0).region().equals(whole)) {
          FragmentEntry fragment = fragments.get(0);
          FragmentStream file =
              files.computeIfAbsent(fragment.file(), this::unopened).open(fs, fragment);
          checkCrc(file.uri, tensor.name(), fragment, file.crc32c(tensor.name(), fragment, buffer));
        } else {
          buffer.put(read(tensor, whole, files).data());
        }
      }
    } finally {
      closeAll(files);
    }
  }

  /**
   * The box {@code target} of tensor {@code name}, reading only the bytes of the fragments that
   * overlap it (see {@link TensorRegion#slice} for a tensor-parallel shard).
   *
   * @throws IllegalArgumentException when there is no such tensor or the box is not inside it
   */
  public TensorBytes read(String name, TensorRegion target) throws IOException {
    Map<String, FragmentStream> files = new TreeMap<>();
    try {
      return read(entry(name), target, files);
    } finally {
      closeAll(files);
    }
  }

  /** The box {@code target} of {@code tensor}, opening fragment files into {@code files}. */
  private TensorBytes read(
      TensorEntry tensor, TensorRegion target, Map<String, FragmentStream> files)
      throws IOException {
    String name = tensor.name();
    if (!target.within(tensor.shape())) {
      throw new IllegalArgumentException(
          "Invalid region " + target + " of tensor " + name + ": must lie inside its shape");
    }
    int elementBytes = tensor.dtype().bytes;
    long targetBytes = target.volume() * elementBytes;
    if (targetBytes > MAX_ARRAY_BYTES) {
      throw new IllegalArgumentException(
          "Invalid region "
              + target
              + " of tensor "
              + name
              + ": its "
              + targetBytes
              + " bytes exceed one Java array; read it in shards");
    }
    List<FragmentEntry> fragments = tensor.fragments();
    if (fragments.size() == 1 && fragments.get(0).region().equals(target)) {
      // One fragment is exactly the box (a whole tensor saved whole): its bytes are the result.
      return new TensorBytes(
          tensor.dtype(), target.shape(), readWhole(name, fragments.get(0), files));
    }
    byte[] out = new byte[(int) targetBytes];
    for (FragmentEntry fragment : fragments) {
      TensorRegion source = fragment.region();
      TensorRegion overlap = source.intersect(target).orElse(null);
      if (overlap == null) {
        continue;
      }
      if (overlap.equals(source)) {
        // Inside the target, so it fits an array too.
        byte[] whole = readWhole(name, fragment, files);
        overlap.forEachRun(
            source,
            target,
            elementBytes,
            (from, to, bytes) -> System.arraycopy(whole, (int) from, out, (int) to, (int) bytes));
      } else {
        FragmentStream file =
            files.computeIfAbsent(fragment.file(), this::unopened).open(fs, fragment);
        readRuns(file, name, fragment, overlap, target, elementBytes, out);
      }
    }
    return new TensorBytes(tensor.dtype(), target.shape(), out);
  }

  /** All of {@code fragment}'s bytes, checked against its CRC32C. */
  private byte[] readWhole(String tensor, FragmentEntry fragment, Map<String, FragmentStream> files)
      throws IOException {
    FragmentStream file = files.computeIfAbsent(fragment.file(), this::unopened).open(fs, fragment);
    byte[] whole = file.read(tensor, fragment.begin(), fragment.bytes());
    checkCrc(file.uri, tensor, fragment, CheckpointWriter.crc32c(whole));
    return whole;
  }

  private static void closeAll(Map<String, FragmentStream> files) throws IOException {
    for (FragmentStream file : files.values()) {
      file.close();
    }
  }

  /**
   * Reads every fragment file whole and checks each fragment's CRC32C and each file's safetensors
   * header against the index.
   *
   * @return the bytes of tensor data checked
   * @throws CorruptVersionException at the first problem, naming the file, tensor and rule
   */
  public long verify() throws IOException {
    Map<String, List<FragmentFile.Expected>> byFile = new TreeMap<>();
    for (TensorEntry t : index.tensors().values()) {
      for (FragmentEntry f : t.fragments()) {
        byFile
            .computeIfAbsent(f.file(), n -> new ArrayList<>())
            .add(new FragmentFile.Expected(t.name(), t.dtype(), f));
      }
    }
    long checked = 0;
    for (Map.Entry<String, List<FragmentFile.Expected>> file : byFile.entrySet()) {
      FragmentStream opened = unopened(file.getKey());
      try {
        for (FragmentFile.Expected e : file.getValue()) {
          opened.open(fs, e.fragment());
          checkCrc(opened.uri, e.tensor(), e.fragment(), opened.crc32c(e.tensor(), e.fragment()));
          checked += e.fragment().bytes();
        }
        FragmentFile.checkHeader(opened, file.getValue());
      } finally {
        opened.close();
      }
    }
    return checked;
  }

  private TensorEntry entry(String name) {
    TensorEntry tensor = index.tensors().get(name);
    if (tensor == null) {
      throw new IllegalArgumentException(
          "Invalid tensor " + name + ": " + fs.makeQualified(dir) + " holds no such tensor");
    }
    return tensor;
  }

  /** Joins runs adjacent in the file into one read each, then scatters them. */
  private static void readRuns(
      FragmentStream file,
      String tensor,
      FragmentEntry fragment,
      TensorRegion overlap,
      TensorRegion target,
      int elementBytes,
      byte[] out)
      throws IOException {
    List<long[]> span = new ArrayList<>(); // runs of one read: {from, to, bytes}
    overlap.forEachRun(
        fragment.region(),
        target,
        elementBytes,
        (from, to, bytes) -> {
          if (!span.isEmpty()) {
            long[] last = span.get(span.size() - 1);
            long end = last[0] + last[2];
            if (from != end || end + bytes - span.get(0)[0] > MAX_READ_BYTES) {
              scatter(file, tensor, fragment, span, out);
            }
          }
          span.add(new long[] {from, to, bytes});
        });
    scatter(file, tensor, fragment, span, out);
  }

  /** Reads the bytes of {@code span}'s runs at once and copies each run to its place. */
  private static void scatter(
      FragmentStream file, String tensor, FragmentEntry fragment, List<long[]> span, byte[] out)
      throws IOException {
    if (span.isEmpty()) {
      return;
    }
    long start = span.get(0)[0];
    long[] last = span.get(span.size() - 1);
    byte[] bytes = file.read(tensor, fragment.begin() + start, last[0] + last[2] - start);
    for (long[] run : span) {
      System.arraycopy(bytes, (int) (run[0] - start), out, (int) run[1], (int) run[2]);
    }
    span.clear();
  }

  private static void checkCrc(String uri, String tensor, FragmentEntry fragment, long actual) {
    if (actual != fragment.crc32c()) {
      throw new CorruptVersionException(
          uri,
          tensor,
          Reason.CHECKSUM_MISMATCH,
          "bytes ["
              + fragment.begin()
              + ", "
              + fragment.end()
              + ") have CRC32C "
              + actual
              + " but the index records "
              + fragment.crc32c());
    }
  }

  private FragmentStream unopened(String file) {
    return new FragmentStream(
        fs.makeQualified(new Path(dir, file)).toString(), new Path(dir, file));
  }

  /** A small file whole: the marker or the index, each a named problem when absent or huge. */
  private static byte[] readSmall(FileSystem fs, Path path, String uri) throws IOException {
    byte[] bytes = readIfPresent(fs, path, uri);
    if (bytes == null) {
      throw new CorruptVersionException(
          uri, null, Reason.MISSING_FILE, "the committed version lacks this file");
    }
    return bytes;
  }

  /** The bytes of a small file, or null when there is no such file. */
  private static byte[] readIfPresent(FileSystem fs, Path path, String uri) throws IOException {
    long length;
    try {
      length = fs.getFileStatus(path).getLen();
    } catch (FileNotFoundException e) {
      return null;
    }
    if (length > MAX_INDEX_BYTES) {
      throw CheckpointIndex.malformed(
          uri, null, length + " bytes exceed the limit of " + MAX_INDEX_BYTES, null);
    }
    byte[] bytes = new byte[(int) length];
    try (FSDataInputStream in = fs.open(path)) {
      in.readFully(bytes); // not a positioned read, which reopens the file on the local filesystem
    } catch (FileNotFoundException e) {
      return null; // deleted since its status was read
    } catch (ChecksumException e) {
      throw new CorruptVersionException(
          uri, null, Reason.CHECKSUM_MISMATCH, "the filesystem's checksum fails", e);
    }
    return bytes;
  }
}
