package dev.rlflow.resharding.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.resharding.checkpoint.CorruptVersionException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The safetensors layout of one fragment file: an 8-byte little-endian header length, the JSON
 * header padded with spaces to a multiple of 8, then each fragment's bytes in the order given. Any
 * safetensors reader can open the file; the universal checkpoint's reader trusts the index for byte
 * ranges and checks the header against it only when it verifies a whole version.
 */
final class FragmentFile {
  private static final String METADATA_KEY = "__metadata__";

  /** Longest header accepted, as in the format's reference implementation. */
  private static final long MAX_HEADER_BYTES = 100_000_000L;

  private FragmentFile() {}

  /**
   * A file laid out before any byte is written.
   *
   * @param head the length field and the padded header
   * @param begins file position of each piece's first byte, in the order given
   */
  record Layout(byte[] head, long[] begins) {}

  /** The layout of {@code pieces} (name and bytes) written by {@code rank}. */
  static Layout layout(int rank, List<Map.Entry<String, TensorBytes>> pieces) {
    ObjectNode root = CheckpointIndex.JSON.createObjectNode();
    root.putObject(METADATA_KEY).put("format", "pt").put("rank", Integer.toString(rank));
    long offset = 0;
    for (Map.Entry<String, TensorBytes> piece : pieces) {
      TensorBytes bytes = piece.getValue();
      ObjectNode entry = root.putObject(piece.getKey());
      entry.put("dtype", bytes.dtype().name());
      ArrayNode shape = entry.putArray("shape");
      Arrays.stream(bytes.shape()).forEach(shape::add);
      entry.putArray("data_offsets").add(offset).add(offset + bytes.length());
      offset += bytes.length();
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    long[] begins = new long[pieces.size()];
    long at = head.capacity();
    for (int i = 0; i < begins.length; i++) {
      begins[i] = at;
      at += pieces.get(i).getValue().length();
    }
    return new Layout(head.array(), begins);
  }

  /** A fragment the index places in one file, with its tensor's dtype. */
  record Expected(String tensor, TensorDtype dtype, FragmentEntry fragment) {}

  /**
   * Checks the safetensors header of the file open on {@code in} ({@code length} bytes) against the
   * fragments the index places there.
   *
   * @throws CorruptVersionException MALFORMED_HEADER naming the file, the tensor and the rule
   */
  static void checkHeader(FragmentStream file, List<Expected> expected) throws IOException {
    String uri = file.uri;
    long length = file.length;
    if (length < 8) {
      throw header(uri, null, "file of " + length + " bytes has no 8-byte header length");
    }
    byte[] field = file.read(null, 0, 8);
    long headerBytes = ByteBuffer.wrap(field).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerBytes < 0 || headerBytes > Math.min(MAX_HEADER_BYTES, length - 8)) {
      throw header(
          uri,
          null,
          "header length "
              + Long.toUnsignedString(headerBytes)
              + " exceeds the "
              + (length - 8)
              + " bytes after the length field or the limit of "
              + MAX_HEADER_BYTES);
    }
    byte[] json = file.read(null, 8, headerBytes);
    JsonNode root;
    try {
      root = CheckpointIndex.JSON.readTree(json);
    } catch (IOException e) {
      throw new CorruptVersionException(
          uri, null, Reason.MALFORMED_HEADER, "header is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw header(uri, null, "header is not a JSON object");
    }
    long dataStart = 8 + headerBytes;
    for (Expected e : expected) {
      JsonNode entry = root.get(e.tensor());
      FragmentEntry f = e.fragment();
      List<Long> offsets = List.of(f.begin() - dataStart, f.end() - dataStart);
      if (entry == null
          || !e.dtype().name().equals(entry.path("dtype").asText())
          || !Arrays.equals(f.region().shape(), numbers(entry.get("shape")))
          || !Arrays.equals(
              offsets.stream().mapToLong(Long::longValue).toArray(),
              numbers(entry.get("data_offsets")))) {
        throw header(
            uri,
            e.tensor(),
            "header entry "
                + entry
                + " disagrees with the index: dtype "
                + e.dtype()
                + ", shape "
                + Arrays.toString(f.region().shape())
                + ", data_offsets "
                + offsets);
      }
    }
  }

  private static long[] numbers(JsonNode array) {
    if (array == null || !array.isArray()) {
      return null;
    }
    List<Long> values = new ArrayList<>();
    array.forEach(value -> values.add(value.isIntegralNumber() ? value.longValue() : -1));
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  private static CorruptVersionException header(String uri, String tensor, String rule) {
    return new CorruptVersionException(uri, tensor, Reason.MALFORMED_HEADER, rule);
  }
}
