package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.model.checkpoint.SafetensorsHeader.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Reads and writes the safetensors format in plain Java: an 8-byte little-endian header length N, N
 * bytes of UTF-8 JSON describing each tensor, then the tensors' bytes, little-endian, C order.
 *
 * <p>Floating-point tensors always load as FP32 (F16 and BF16 are widened in Java, F64 narrowed),
 * because DJL's PyTorch engine aborts the JVM on bfloat16 (DESIGN.md §1); I64 and I32 load
 * unchanged. A file that does not follow the format raises {@link CorruptCheckpointException}
 * before any tensor is allocated.
 *
 * <p>Long because reading and writing share the header's rules (dtypes, offsets, alignment, the 2
 * GB limit), which stay in one place; the header's JSON is {@link SafetensorsHeader}'s.
 */
public final class Safetensors {

  /**
   * Largest file written: DJL counts bytes in {@code int}s, so one file (one shard) stays below 2
   * GiB. Reading has no such limit beyond one tensor per DJL array.
   */
  public static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

  private static final int CHUNK_BYTES = 1 << 20;

  private Safetensors() {}

  /**
   * The tensors and metadata of one safetensors file.
   *
   * @param tensors arrays by name, iterated in name order
   * @param metadata the header's {@code __metadata__} strings, empty when it has none
   */
  public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {
    public Contents {
      tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
  }

  /**
   * Loads every tensor of {@code file} into {@code manager}, floating-point ones as FP32.
   *
   * @throws CorruptCheckpointException when the file breaks the format or holds a dtype other than
   *     F32, F16, BF16, F64, I64, I32
   * @throws IOException when the file cannot be read
   */
  public static Contents read(Path file, NDManager manager) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      SafetensorsHeader header = SafetensorsHeader.read(file, channel);
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      boolean complete = false;
      try {
        for (Entry entry : header.entries()) {
          tensors.put(entry.name(), readTensor(channel, header, entry, manager));
        }
        complete = true;
      } finally {
        if (!complete) {
          tensors.values().forEach(NDArray::close);
        }
      }
      return new Contents(tensors, header.metadata());
    }
  }

  /**
   * Writes {@code tensors} to {@code file} in FP32, atomically; see {@link #write(Path, Map, Map,
   * StoredDtype)}.
   */
  public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
      throws IOException {
    write(file, tensors, metadata, StoredDtype.F32);
  }

  /**
   * Writes {@code tensors} to {@code file}, floating-point ones in {@code dtype} and int32/int64
   * ones unchanged, replacing the file atomically: the bytes go to a hidden temporary file in the
   * same directory that is then renamed, so a crash never leaves a half-written file.
   *
   * <p>The layout follows the reference implementation: tensors ordered by element size (largest
   * first) then name (so by name alone when they share a dtype), header padded with spaces to a
   * multiple of 8 bytes, {@code __metadata__} left out when empty.
   *
   * @throws IllegalArgumentException when the file would reach {@link #MAX_FILE_BYTES}, a tensor is
   *     named {@code __metadata__}, or an array's DJL type is not float16/32/64 or int32/64
   * @throws IOException when the file cannot be written
   */
  public static void write(
      Path file, Map<String, NDArray> tensors, Map<String, String> metadata, StoredDtype dtype)
      throws IOException {
    Map<String, Spec> specs = new TreeMap<>();
    for (Map.Entry<String, NDArray> tensor : tensors.entrySet()) {
      specs.put(tensor.getKey(), spec(file, tensor.getKey(), tensor.getValue(), dtype));
    }
    Plan plan = plan(file, specs, metadata);
    Path target = file.toAbsolutePath();
    Path temporary =
        target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    boolean moved = false;
    try {
      try (FileChannel channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(channel, ByteBuffer.wrap(plan.header()));
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Placed placed : plan.tensors()) {
          writeTensor(channel, chunk, placed.spec().dtype(), tensors.get(placed.name()));
        }
        channel.force(true);
      }
      moveReplacing(temporary, target);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(temporary);
      }
    }
  }

  /** The header of {@code file}, validated, without loading any tensor. */
  static SafetensorsHeader readHeader(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return SafetensorsHeader.read(file, channel);
    }
  }

  /** Loads one tensor of a validated header from {@code channel} into {@code manager}. */
  static NDArray readTensor(
      FileChannel channel, SafetensorsHeader header, Entry entry, NDManager manager)
      throws IOException {
    SafetensorsDtype dtype = entry.dtype();
    long elements = entry.elementCount();
    int loadedBytes = dtype.floating ? 4 : dtype.bytes;
    if (elements > Integer.MAX_VALUE / loadedBytes || entry.byteSize() > Integer.MAX_VALUE) {
      throw new CorruptCheckpointException(
          header.file(),
          entry.name(),
          elements
              + " elements of "
              + dtype
              + " exceed the 2 GiB limit of one DJL array"
              + (dtype.floating ? " once loaded as FP32" : ""));
    }
    int n = (int) elements;
    long position = header.dataStart() + entry.begin();
    Shape shape = entry.shape();
    // Exhaustive: a new SafetensorsDtype does not compile until it is decoded here.
    return switch (dtype) {
      case F32, F16, BF16, F64 -> {
        float[] values = new float[n];
        readChunks(
            header,
            channel,
            position,
            n,
            dtype.bytes,
            (b, at, c) -> toFloats(dtype, b, values, at, c));
        yield manager.create(values, shape);
      }
      case I64 -> {
        long[] values = new long[n];
        readChunks(
            header, channel, position, n, 8, (b, at, c) -> b.asLongBuffer().get(values, at, c));
        yield manager.create(values, shape);
      }
      case I32 -> {
        int[] values = new int[n];
        readChunks(
            header, channel, position, n, 4, (b, at, c) -> b.asIntBuffer().get(values, at, c));
        yield manager.create(values, shape);
      }
    };
  }

  /**
   * Decodes {@code count} elements of a floating {@code dtype} into {@code out} from {@code at}.
   */
  private static void toFloats(
      SafetensorsDtype dtype, ByteBuffer chunk, float[] out, int at, int count) {
    switch (dtype) {
      case F32 -> chunk.asFloatBuffer().get(out, at, count);
      case F16 -> {
        for (int i = 0; i < count; i++) {
          out[at + i] = HalfPrecision.f16ToFloat(chunk.getShort());
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          out[at + i] = HalfPrecision.bf16ToFloat(chunk.getShort());
        }
      }
      case F64 -> {
        for (int i = 0; i < count; i++) {
          out[at + i] = (float) chunk.getDouble();
        }
      }
      default -> throw new AssertionError(dtype + " is not floating-point");
    }
  }

  /** What will be written for one tensor: its stored type and shape. */
  record Spec(SafetensorsDtype dtype, Shape shape) {}

  /** One tensor's place in the data section. */
  record Placed(String name, Spec spec, long begin, long end) {}

  /**
   * The bytes before the data section (length field and padded header) and where each tensor goes,
   * in file order.
   */
  record Plan(byte[] header, List<Placed> tensors, long fileBytes) {}

  /**
   * Lays out a file before any byte is written, so that a file over {@link #MAX_FILE_BYTES} fails
   * without leaving anything behind.
   */
  static Plan plan(Path file, Map<String, Spec> specs, Map<String, String> metadata) {
    List<Map.Entry<String, Spec>> ordered = new ArrayList<>(specs.entrySet());
    ordered.sort(
        Comparator.comparingInt((Map.Entry<String, Spec> e) -> -e.getValue().dtype().bytes)
            .thenComparing(Map.Entry::getKey));
    ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
      new TreeMap<>(metadata).forEach(meta::put);
    }
    List<Placed> placed = new ArrayList<>();
    long offset = 0;
    for (Map.Entry<String, Spec> tensor : ordered) {
      String name = tensor.getKey();
      Spec spec = tensor.getValue();
      if (name.equals(SafetensorsHeader.METADATA_KEY)) {
        throw new IllegalArgumentException(
            file + ": tensor name " + name + " is reserved for the header's metadata");
      }
      long bytes;
      try {
        bytes = spec.dtype().bytes;
        for (long dim : spec.shape().getShape()) {
          bytes = Math.multiplyExact(bytes, dim);
        }
        offset = Math.addExact(offset, bytes);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            file
                + ": tensor "
                + name
                + ": shape "
                + SafetensorsHeader.shapeString(spec.shape())
                + " overflows a byte count",
            e);
      }
      placed.add(new Placed(name, spec, offset - bytes, offset));
      ObjectNode entry = root.putObject(name);
      entry.put("dtype", spec.dtype().name());
      ArrayNode shape = entry.putArray("shape");
      Arrays.stream(spec.shape().getShape()).forEach(shape::add);
      entry.putArray("data_offsets").add(offset - bytes).add(offset);
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    long fileBytes = 8L + padded + offset;
    if (fileBytes > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          file
              + ": "
              + fileBytes
              + " bytes exceed the limit of "
              + MAX_FILE_BYTES
              + " bytes for one safetensors file (DJL counts bytes in ints): split the tensors"
              + " into shards, e.g. with HfCheckpoint.write");
    }
    ByteBuffer header = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(padded).put(json);
    while (header.hasRemaining()) {
      header.put((byte) ' ');
    }
    return new Plan(header.array(), placed, fileBytes);
  }

  private static Spec spec(Path file, String name, NDArray array, StoredDtype dtype) {
    DataType type = array.getDataType();
    SafetensorsDtype stored =
        switch (type) {
          case FLOAT16, FLOAT32, FLOAT64 -> dtype.dtype;
          case INT32 -> SafetensorsDtype.I32;
          case INT64 -> SafetensorsDtype.I64;
          default ->
              throw new IllegalArgumentException(
                  file
                      + ": tensor "
                      + name
                      + ": DJL data type "
                      + type
                      + " cannot be written (floating types: float16, float32, float64;"
                      + " integer types: int32, int64)");
        };
    return new Spec(stored, array.getShape());
  }

  private static void writeTensor(
      FileChannel channel, ByteBuffer chunk, SafetensorsDtype stored, NDArray array)
      throws IOException {
    chunk.clear();
    switch (stored) {
      case I32 -> {
        for (int value : array.toIntArray()) {
          flushIfFull(channel, chunk, 4).putInt(value);
        }
      }
      case I64 -> {
        for (long value : array.toLongArray()) {
          flushIfFull(channel, chunk, 8).putLong(value);
        }
      }
      case F32 -> {
        for (float value : floatValues(array)) {
          flushIfFull(channel, chunk, 4).putFloat(value);
        }
      }
      case F16 -> {
        for (float value : floatValues(array)) {
          flushIfFull(channel, chunk, 2).putShort(HalfPrecision.floatToF16(value));
        }
      }
      case BF16 -> {
        for (float value : floatValues(array)) {
          flushIfFull(channel, chunk, 2).putShort(HalfPrecision.floatToBf16(value));
        }
      }
      default -> throw new AssertionError(stored);
    }
    chunk.flip();
    writeFully(channel, chunk);
  }

  /** The values of a float16/32/64 array as FP32, copied off the engine. */
  private static float[] floatValues(NDArray array) {
    switch (array.getDataType()) {
      case FLOAT32:
        return array.toFloatArray();
      case FLOAT64:
        {
          double[] doubles = array.toDoubleArray();
          float[] values = new float[doubles.length];
          for (int i = 0; i < doubles.length; i++) {
            values[i] = (float) doubles[i];
          }
          return values;
        }
      case FLOAT16:
        {
          // A copy, never a zero-copy view (DESIGN.md §1).
          ByteBuffer bytes = array.toByteBuffer(false).order(ByteOrder.nativeOrder());
          float[] values = new float[bytes.remaining() / 2];
          for (int i = 0; i < values.length; i++) {
            values[i] = HalfPrecision.f16ToFloat(bytes.getShort());
          }
          return values;
        }
      default:
        throw new AssertionError(array.getDataType());
    }
  }

  private static ByteBuffer flushIfFull(FileChannel channel, ByteBuffer chunk, int needed)
      throws IOException {
    if (chunk.remaining() < needed) {
      chunk.flip();
      writeFully(channel, chunk);
      chunk.clear();
    }
    return chunk;
  }

  private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Decodes {@code count} elements from a little-endian chunk into an array from {@code at}. */
  private interface ChunkDecoder {
    void decode(ByteBuffer chunk, int at, int count);
  }

  private static void readChunks(
      SafetensorsHeader header,
      FileChannel channel,
      long position,
      int elements,
      int elementBytes,
      ChunkDecoder decoder)
      throws IOException {
    int perChunk = CHUNK_BYTES / elementBytes;
    ByteBuffer chunk =
        ByteBuffer.allocate(Math.min(perChunk, elements) * elementBytes)
            .order(ByteOrder.LITTLE_ENDIAN);
    long at = position;
    for (int done = 0; done < elements; ) {
      int count = Math.min(perChunk, elements - done);
      chunk.clear().limit(count * elementBytes);
      SafetensorsHeader.readFully(header.file(), channel, chunk, at);
      chunk.flip();
      decoder.decode(chunk, done, count);
      done += count;
      at += (long) count * elementBytes;
    }
  }

  /** Renames atomically where the file system can, else replaces (still never half-written). */
  static void moveReplacing(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
