package dev.rlflow.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-assembled safetensors files for tests, independent of {@link Safetensors}: a header written
 * as text and data bytes written as the format says, so a reader is tested against the format and
 * not against its own writer.
 */
final class SafetensorsBytes {
  private final List<String> entries = new ArrayList<>();
  private final ByteArrayOutputStream data = new ByteArrayOutputStream();

  /** Appends a tensor whose offsets follow the previous one's. */
  SafetensorsBytes tensor(String name, String dtype, String shape, byte[] bytes) {
    int begin = data.size();
    data.writeBytes(bytes);
    return entry(
        name,
        "{\"dtype\":\""
            + dtype
            + "\",\"shape\":"
            + shape
            + ",\"data_offsets\":["
            + begin
            + ","
            + data.size()
            + "]}");
  }

  /** Appends a header entry spelled exactly as given, with no data. */
  SafetensorsBytes entry(String name, String json) {
    entries.add("\"" + name + "\":" + json);
    return this;
  }

  /** Appends data bytes no entry accounts for. */
  SafetensorsBytes data(byte[] bytes) {
    data.writeBytes(bytes);
    return this;
  }

  byte[] build() {
    return file("{" + String.join(",", entries) + "}", data.toByteArray());
  }

  /** A file of the header text {@code header} (unpadded) followed by {@code data}. */
  static byte[] file(String header, byte[] data) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + json.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(json.length)
        .put(json)
        .put(data)
        .array();
  }

  static byte[] shorts(int... values) {
    ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putShort((short) v);
    }
    return b.array();
  }

  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] doubles(double... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return b.array();
  }

  static byte[] longs(long... values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }

  static byte[] ints(int... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }
}
