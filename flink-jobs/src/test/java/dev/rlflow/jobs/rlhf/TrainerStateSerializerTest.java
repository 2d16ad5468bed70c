package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.training.rl.TrainerCheckpoint;
import java.io.IOException;
import java.util.HexFormat;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class TrainerStateSerializerTest {
  private static final TrainerState STATE =
      new TrainerState(
          7,
          6,
          new TrainerCheckpoint.Counters(7, 56, 56, 0.05),
          "/runs/r/checkpoints/rl-state/job/chk-3");

  /** {@link #STATE} as format 1 wrote it: five longs, a double, the directory in modified UTF-8. */
  private static final String STATE_V1 =
      "0000000000000007" // version
          + "0000000000000006" // oldest
          + "0000000000000007" // iterations
          + "0000000000000038" // actor steps
          + "0000000000000038" // critic steps
          + "3fa999999999999a" // KL beta 0.05
          + "0026" // directory: 38 bytes
          + "2f72756e732f722f636865636b706f696e74732f726c2d73746174652f6a6f622f63686b2d33";

  /** The serializer's snapshot of format 1 as Flink writes it into a checkpoint's metadata. */
  private static final String SNAPSHOT_V1 =
      "0033" // class name: 51 bytes
          + "6465762e726c666c6f772e6a6f62732e726c68662e547261696e65725374617465"
          + "53657269616c697a6572536e617073686f74"
          + "00000001"; // format 1, no configuration

  @Test
  void stateRoundTrips() throws IOException {
    byte[] bytes = serialize(STATE);
    assertThat(deserialize(bytes)).isEqualTo(STATE);

    DataOutputSerializer copied = new DataOutputSerializer(64);
    TrainerStateSerializer.INSTANCE.copy(new DataInputDeserializer(bytes), copied);
    assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
    assertThat(TrainerStateSerializer.INSTANCE.duplicate())
        .isEqualTo(TrainerStateSerializer.INSTANCE);
  }

  @Test
  void writesFormatOneByteForByte() throws IOException {
    assertThat(HexFormat.of().formatHex(serialize(STATE))).isEqualTo(STATE_V1);
  }

  @Test
  void snapshotRoundTripsAndIsCompatibleAsIs() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(
        out, TrainerStateSerializer.INSTANCE.snapshotConfiguration());
    TypeSerializerSnapshot<TrainerState> read = readSnapshot(out.getCopyOfBuffer());
    assertThat(read.restoreSerializer()).isEqualTo(TrainerStateSerializer.INSTANCE);
    assertThat(
            TrainerStateSerializer.INSTANCE
                .snapshotConfiguration()
                .resolveSchemaCompatibility(read)
                .isCompatibleAsIs())
        .isTrue();
  }

  @Test
  void restoresStateWrittenInFormatOne() throws IOException {
    TypeSerializerSnapshot<TrainerState> snapshot =
        readSnapshot(HexFormat.of().parseHex(SNAPSHOT_V1));
    assertThat(snapshot.getCurrentVersion()).isEqualTo(TrainerStateSerializerSnapshot.VERSION);
    TypeSerializerSchemaCompatibility<TrainerState> compatibility =
        TrainerStateSerializer.INSTANCE
            .snapshotConfiguration()
            .resolveSchemaCompatibility(snapshot);
    assertThat(compatibility.isCompatibleAsIs()).isTrue();
    TypeSerializer<TrainerState> restored = snapshot.restoreSerializer();
    assertThat(restored.deserialize(new DataInputDeserializer(HexFormat.of().parseHex(STATE_V1))))
        .isEqualTo(STATE);
  }

  @Test
  void refusesAFormatItDoesNotKnow() {
    assertThatThrownBy(
            () ->
                new TrainerStateSerializerSnapshot()
                    .readSnapshot(
                        2, new DataInputDeserializer(new byte[0]), getClass().getClassLoader()))
        .isInstanceOf(IOException.class)
        .hasMessage("Trainer state of format 2: this version reads formats 1 to 1");
  }

  private static byte[] serialize(TrainerState state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TrainerStateSerializer.INSTANCE.serialize(state, out);
    return out.getCopyOfBuffer();
  }

  private static TrainerState deserialize(byte[] bytes) throws IOException {
    return TrainerStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
  }

  private static TypeSerializerSnapshot<TrainerState> readSnapshot(byte[] bytes)
      throws IOException {
    return TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(bytes), TrainerStateSerializerTest.class.getClassLoader());
  }
}
