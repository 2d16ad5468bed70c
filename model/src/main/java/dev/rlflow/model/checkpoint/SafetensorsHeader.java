package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file: where each tensor's bytes lie and how to read them.
 * Every check runs before any tensor is allocated, so a malicious header can neither crash the JVM
 * nor make it allocate more than the file holds.
 *
 * @param file the file, for messages
 * @param dataStart file position of the data section (8 + header length)
 * @param dataBytes length of the data section
 * @param metadata the {@code __metadata__} strings (empty when absent)
 * @param entries the tensors, sorted by name
 */
record SafetensorsHeader(
    Path file, long dataStart, long dataBytes, Map<String, String> metadata, List<Entry> entries) {

  /** Longest header accepted, as in the format's reference implementation. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  /** Strict JSON: a duplicated key or trailing garbage is corruption, not a choice to make. */
  static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  SafetensorsHeader {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    entries = List.copyOf(entries);
  }

  /**
   * One tensor of the file.
   *
   * @param begin first byte, relative to the data section
   * @param end byte after the last, relative to the data section
   */
  record Entry(String name, SafetensorsDtype dtype, Shape shape, long begin, long end) {

    /** Bytes the tensor occupies in the file. */
    long byteSize() {
      return end - begin;
    }

    /** Elements of the tensor (the product of its shape; 1 for a scalar). */
    long elementCount() {
      return byteSize() / dtype.bytes;
    }
  }

  /** The header of the file open on {@code channel}, validated against the file's length. */
  static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
    long fileBytes = channel.size();
    if (fileBytes < 8) {
      throw new CorruptCheckpointException(
          file, "file of " + fileBytes + " bytes is shorter than the 8-byte header length");
    }
    ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, channel, lengthField, 0);
    long headerBytes = lengthField.getLong(0);
    // Unsigned in the format: a negative long is a length beyond 2^63, over every limit.
    if (headerBytes < 0 || headerBytes > MAX_HEADER_BYTES) {
      throw new CorruptCheckpointException(
          file,
          "header length "
              + Long.toUnsignedString(headerBytes)
              + " exceeds the limit of "
              + MAX_HEADER_BYTES
              + " bytes");
    }
    if (headerBytes > fileBytes - 8) {
      throw new CorruptCheckpointException(
          file,
          "header length "
              + headerBytes
              + " exceeds the "
              + (fileBytes - 8)
              + " bytes that follow the length field");
    }
    ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
    readFully(file, channel, header, 8);
    return parse(file, header.array(), 8 + headerBytes, fileBytes - 8 - headerBytes);
  }

  /** Parses and validates header bytes followed by a data section of {@code dataBytes}. */
  static SafetensorsHeader parse(Path file, byte[] header, long dataStart, long dataBytes) {
    JsonNode root = parseJson(file, header);
    Map<String, String> metadata = Map.of();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(file, field.getValue());
      } else {
        entries.add(parseEntry(file, field.getKey(), field.getValue(), dataBytes));
      }
    }
    checkTiling(file, entries, dataBytes);
    entries.sort(Comparator.comparing(Entry::name));
    return new SafetensorsHeader(file, dataStart, dataBytes, metadata, entries);
  }

  /** Reads exactly {@code buffer.remaining()} bytes at {@code position}. */
  static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, at);
      if (read < 0) {
        // The length was checked when the header was read: the file shrank since.
        throw new EOFException(file + ": file ended at byte " + at + " while reading");
      }
      at += read;
    }
  }

  private static JsonNode parseJson(Path file, byte[] header) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(header))
              .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptCheckpointException(file, null, "header is not valid UTF-8", e);
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CorruptCheckpointException(
          file, null, "header is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CorruptCheckpointException(
          file, "header is not a JSON object: " + abbreviate(text));
    }
    return root;
  }

  private static Map<String, String> parseMetadata(Path file, JsonNode node) {
    if (!node.isObject()) {
      throw new CorruptCheckpointException(
          file, METADATA_KEY + " must be an object of strings, found " + abbreviate(node));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!field.getValue().isTextual()) {
        throw new CorruptCheckpointException(
            file,
            METADATA_KEY
                + " value of "
                + field.getKey()
                + " must be a string, found "
                + abbreviate(field.getValue()));
      }
      metadata.put(field.getKey(), field.getValue().textValue());
    }
    return metadata;
  }

  private static Entry parseEntry(Path file, String name, JsonNode node, long dataBytes) {
    if (!node.isObject()) {
      throw new CorruptCheckpointException(
          file, name, "entry must be an object, found " + abbreviate(node));
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new CorruptCheckpointException(
          file, name, "dtype must be a string, found " + abbreviate(dtypeNode));
    }
    SafetensorsDtype dtype =
        SafetensorsDtype.of(dtypeNode.textValue())
            .orElseThrow(
                () ->
                    new CorruptCheckpointException(
                        file,
                        name,
                        "unsupported dtype "
                            + abbreviate(dtypeNode)
                            + " (supported: "
                            + SafetensorsDtype.SUPPORTED
                            + ")"));
    long[] dims = longs(file, name, "shape", node.get("shape"), -1);
    long[] offsets = longs(file, name, "data_offsets", node.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    String range = "data offsets [" + begin + ", " + end + ")";
    if (begin > end) {
      throw new CorruptCheckpointException(file, name, range + " end before they begin");
    }
    if (end > dataBytes) {
      throw new CorruptCheckpointException(
          file, name, range + " exceed the data section of " + dataBytes + " bytes");
    }
    long needed;
    try {
      long elements = 1;
      for (long dim : dims) {
        elements = Math.multiplyExact(elements, dim);
      }
      needed = Math.multiplyExact(elements, dtype.bytes);
    } catch (ArithmeticException e) {
      throw new CorruptCheckpointException(
          file, name, "shape " + shapeString(dims) + " has more elements than a long counts", e);
    }
    if (needed != end - begin) {
      throw new CorruptCheckpointException(
          file,
          name,
          "shape "
              + shapeString(dims)
              + " of "
              + dtype
              + " needs "
              + needed
              + " bytes but "
              + range
              + " hold "
              + (end - begin));
    }
    return new Entry(name, dtype, new Shape(dims), begin, end);
  }

  /**
   * Non-negative integers of a JSON array; {@code length} -1 for any length. Floats, huge numbers
   * and negatives are corruption, not something to round.
   */
  private static long[] longs(Path file, String name, String key, JsonNode node, int length) {
    String rule = length < 0 ? "an array of integers >= 0" : "[begin, end], integers >= 0";
    if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
      throw new CorruptCheckpointException(
          file, name, key + " must be " + rule + ", found " + abbreviate(node));
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode value = node.get(i);
      if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
        throw new CorruptCheckpointException(
            file, name, key + " must be " + rule + ", found " + abbreviate(node));
      }
      values[i] = value.longValue();
    }
    return values;
  }

  /**
   * The tensors must tile the data section, as the reference implementation requires: an overlap, a
   * gap or trailing bytes mean a damaged offset (or a file written by something else).
   */
  private static void checkTiling(Path file, List<Entry> entries, long dataBytes) {
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long covered = 0;
    Entry previous = null;
    for (Entry entry : byOffset) {
      if (entry.begin() < covered) {
        throw new CorruptCheckpointException(
            file,
            entry.name(),
            "data offsets ["
                + entry.begin()
                + ", "
                + entry.end()
                + ") overlap those of tensor "
                + previous.name()
                + " ["
                + previous.begin()
                + ", "
                + previous.end()
                + ")");
      }
      if (entry.begin() > covered) {
        throw new CorruptCheckpointException(
            file,
            entry.name(),
            "data offsets ["
                + entry.begin()
                + ", "
                + entry.end()
                + ") leave bytes ["
                + covered
                + ", "
                + entry.begin()
                + ") of the data section to no tensor");
      }
      covered = entry.end();
      previous = entry;
    }
    if (covered != dataBytes) {
      throw new CorruptCheckpointException(
          file,
          "data section of "
              + dataBytes
              + " bytes has "
              + (dataBytes - covered)
              + " trailing bytes that belong to no tensor");
    }
  }

  /** A shape as the header spells it, e.g. {@code [16, 8]}. */
  static String shapeString(long[] dims) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(dims[i]);
    }
    return sb.append(']').toString();
  }

  static String shapeString(Shape shape) {
    return shapeString(shape.getShape());
  }

  /** A value for a message, cut short: a corrupt header may hold megabytes of anything. */
  private static String abbreviate(Object value) {
    String text = String.valueOf(value);
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
