package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Writes {@link Safetensors} files: lays out the header and the data section before any byte is
 * written, then encodes each tensor in its stored type into a temporary file that is renamed into
 * place.
 */
final class SafetensorsWriter {

  private SafetensorsWriter() {}

  /** See {@link Safetensors#write(Path, Map, Map, StoredDtype)}. */
  static void write(
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
        ByteBuffer chunk =
            ByteBuffer.allocate(Safetensors.CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
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
   * Lays out a file before any byte is written, so that a file over {@link
   * Safetensors#MAX_FILE_BYTES} fails without leaving anything behind.
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
    if (fileBytes > Safetensors.MAX_FILE_BYTES) {
      throw new IllegalArgumentException(
          file
              + ": "
              + fileBytes
              + " bytes exceed the limit of "
              + Safetensors.MAX_FILE_BYTES
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

  /** Renames atomically where the file system can, else replaces (still never half-written). */
  private static void moveReplacing(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
