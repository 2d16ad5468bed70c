package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.checkpoint.SafetensorsHeader.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format in plain Java: an 8-byte little-endian header length N, N
 * bytes of UTF-8 JSON describing each tensor, then the tensors' bytes, little-endian, C order.
 *
 * <p>Floating-point tensors always load as FP32 (F16 and BF16 are widened in Java, F64 narrowed),
 * because DJL's PyTorch engine aborts the JVM on bfloat16 (DESIGN.md §1); I64 and I32 load
 * unchanged. A file that does not follow the format raises {@link CorruptCheckpointException}
 * before any tensor is allocated.
 *
 * <p>Writing (the file's layout and the encoding of each tensor) is {@link SafetensorsWriter}'s;
 * the header's JSON is {@link SafetensorsHeader}'s.
 */
public final class Safetensors {

  /**
   * Largest file written: DJL counts bytes in {@code int}s, so one file (one shard) stays below 2
   * GiB. Reading has no such limit beyond one tensor per DJL array.
   */
  public static final long MAX_FILE_BYTES = Integer.MAX_VALUE;

  static final int CHUNK_BYTES = 1 << 20;

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
    SafetensorsWriter.write(file, tensors, metadata, dtype);
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
}
