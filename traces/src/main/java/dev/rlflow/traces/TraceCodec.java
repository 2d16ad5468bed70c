package dev.rlflow.traces;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding of one trace type, the form of every Kafka value rlflow writes: the
 * marker {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer's schema,
 * then the Avro binary body (Avro 1.12 specification, "Single object encoding"). The fingerprint
 * lets a consumer tell record types and schema versions apart without a schema registry, so several
 * trace types can share one topic. Thread-safe.
 *
 * @param <T> a class generated from {@code src/main/avro/*.avsc}, e.g. {@link ProcessLabel}
 */
public final class TraceCodec<T extends SpecificRecord> {
  private static final int MARKER_BYTES = 2;
  private static final int HEADER_BYTES = MARKER_BYTES + 8;
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

  private final String typeName;
  private final byte[] header;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private TraceCodec(Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    Schema schema = model.getSchema(type);
    this.typeName = schema.getFullName();
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    this.header =
        ByteBuffer.allocate(HEADER_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put((byte) 0xC3)
            .put((byte) 0x01)
            .putLong(SchemaNormalization.parsingFingerprint64(schema))
            .array();
  }

  /** The codec of a generated trace class. */
  public static <T extends SpecificRecord> TraceCodec<T> of(Class<T> type) {
    return new TraceCodec<>(type);
  }

  /** The record's single-object encoding. */
  public byte[] encode(T record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      encoder.encode(record, out);
    } catch (IOException e) {
      throw new UncheckedIOException("A byte array stream does not fail", e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes one record written by {@link #encode} with this codec's schema.
   *
   * @throws InvalidTraceException when {@code bytes} do not start with the single-object marker,
   *     carry another schema's fingerprint (another trace type, or another version of this one), or
   *     the body is not one whole record
   */
  public T decode(byte[] bytes) throws InvalidTraceException {
    if (bytes.length < HEADER_BYTES || bytes[0] != header[0] || bytes[1] != header[1]) {
      throw new InvalidTraceException(
          "Not an Avro single-object encoded "
              + typeName
              + ": expected the marker C3 01 and an 8-byte schema fingerprint, found "
              + describe(bytes));
    }
    if (!Arrays.equals(bytes, MARKER_BYTES, HEADER_BYTES, header, MARKER_BYTES, HEADER_BYTES)) {
      throw new InvalidTraceException(
          "Unknown schema fingerprint "
              + HEX.formatHex(bytes, MARKER_BYTES, HEADER_BYTES)
              + ": this reader knows "
              + typeName
              + " with fingerprint "
              + HEX.formatHex(header, MARKER_BYTES, HEADER_BYTES)
              + " (another trace type, or another version of its schema)");
    }
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    T record;
    try {
      record = decoder.decode(in);
    } catch (IOException | AvroRuntimeException e) {
      throw new InvalidTraceException(
          "Corrupt " + typeName + " body in " + bytes.length + " bytes: " + e.getMessage(), e);
    }
    if (in.available() > 0) {
      throw new InvalidTraceException(
          in.available()
              + " bytes left after a whole "
              + typeName
              + " of "
              + (bytes.length - in.available())
              + " bytes");
    }
    return record;
  }

  private static String describe(byte[] bytes) {
    if (bytes.length == 0) {
      return "0 bytes";
    }
    return bytes.length
        + " bytes starting "
        + HEX.formatHex(bytes, 0, Math.min(bytes.length, HEADER_BYTES));
  }
}
