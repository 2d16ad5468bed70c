package dev.rlflow.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class TraceCodecTest {
  private final TraceCodec<ProcessLabel> codec = TraceCodec.of(ProcessLabel.class);

  @Test
  void roundTripKeepsEveryField() throws Exception {
    for (ProcessLabel label : List.of(Labels.first(), Labels.second())) {
      assertThat(codec.decode(codec.encode(label))).isEqualTo(label);
    }
  }

  @Test
  void bytesStartWithTheMarkerAndTheSchemaFingerprint() {
    byte[] bytes = codec.encode(Labels.first());
    ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(header.get()).isEqualTo((byte) 0xC3);
    assertThat(header.get()).isEqualTo((byte) 0x01);
    assertThat(header.getLong())
        .isEqualTo(SchemaNormalization.parsingFingerprint64(ProcessLabel.getClassSchema()));
    // The generated class's own encoder writes the same bytes: any Avro consumer can read them.
    assertThat(bytes).isEqualTo(toArray(ProcessLabel.getEncoder(), Labels.first()));
  }

  @Test
  void bytesWithoutTheMarkerAreRejectedWithWhatWasFound() throws Exception {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(plain, null);
    new SpecificDatumWriter<>(ProcessLabel.class).write(Labels.first(), encoder);
    encoder.flush();

    assertThatThrownBy(() -> codec.decode(plain.toByteArray()))
        .isInstanceOf(InvalidTraceException.class)
        .hasMessageStartingWith(
            "Not an Avro single-object encoded dev.rlflow.traces.ProcessLabel: expected the marker"
                + " C3 01 and an 8-byte schema fingerprint, found "
                + plain.size()
                + " bytes starting 1E 61 72 69 74 68");
    assertThatThrownBy(() -> codec.decode("{\"step\":1}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageEndingWith("found 10 bytes starting 7B 22 73 74 65 70 22 3A 31 7D");
    assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessageEndingWith("found 0 bytes");
    assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xC3, 0x01, 1, 2}))
        .hasMessageEndingWith("found 4 bytes starting C3 01 01 02");
  }

  @Test
  void anotherSchemaIsAnUnknownFingerprint() {
    // A later version of the schema with one more field: its fingerprint differs.
    Schema next =
        SchemaBuilder.record("ProcessLabel")
            .namespace("dev.rlflow.traces")
            .fields()
            .requiredString("question_id")
            .requiredString("reviewer")
            .endRecord();
    GenericRecord record = new GenericData.Record(next);
    record.put("question_id", "q1");
    record.put("reviewer", "a");
    byte[] bytes = toArray(new BinaryMessageEncoder<>(GenericData.get(), next), record);

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(InvalidTraceException.class)
        .hasMessage(
            "Unknown schema fingerprint %s: this reader knows dev.rlflow.traces.ProcessLabel with"
                + " fingerprint %s (another trace type, or another version of its schema)",
            hex(SchemaNormalization.parsingFingerprint64(next)),
            hex(SchemaNormalization.parsingFingerprint64(ProcessLabel.getClassSchema())));
  }

  @Test
  void aTruncatedOrOverlongBodyIsCorrupt() {
    byte[] bytes = codec.encode(Labels.second());
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 3)))
        .isInstanceOf(InvalidTraceException.class)
        .hasMessageStartingWith(
            "Corrupt dev.rlflow.traces.ProcessLabel body in " + (bytes.length - 3) + " bytes: ");
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length + 2)))
        .isInstanceOf(InvalidTraceException.class)
        .hasMessage(
            "2 bytes left after a whole dev.rlflow.traces.ProcessLabel of "
                + bytes.length
                + " bytes");
  }

  /** A fingerprint as it stands in the message: 8 bytes, little-endian. */
  private static String hex(long fingerprint) {
    byte[] bytes =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array();
    return java.util.HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes);
  }

  private static <D> byte[] toArray(BinaryMessageEncoder<D> encoder, D datum) {
    try {
      ByteBuffer buffer = encoder.encode(datum);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
