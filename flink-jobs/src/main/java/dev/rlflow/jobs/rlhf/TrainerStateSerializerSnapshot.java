package dev.rlflow.jobs.rlhf;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of {@link TrainerStateSerializer} that Flink writes with each checkpoint: its
 * version is the format of the state's bytes, so a restore knows which format it reads. The
 * serializer has no configuration, so the snapshot holds nothing but that version.
 */
public final class TrainerStateSerializerSnapshot implements TypeSerializerSnapshot<TrainerState> {

  /** The format {@link TrainerStateSerializer} writes. */
  static final int VERSION = 1;

  /** For Flink, which creates snapshots reflectively before {@link #readSnapshot}. */
  public TrainerStateSerializerSnapshot() {}

  @Override
  public int getCurrentVersion() {
    return VERSION;
  }

  @Override
  public void writeSnapshot(DataOutputView out) {
    // no configuration: the version Flink writes before it is all
  }

  @Override
  public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
      throws IOException {
    if (readVersion < 1 || readVersion > VERSION) {
      throw new IOException(
          "Trainer state of format "
              + readVersion
              + ": this version reads formats 1 to "
              + VERSION);
    }
  }

  @Override
  public TypeSerializer<TrainerState> restoreSerializer() {
    return TrainerStateSerializer.INSTANCE;
  }

  @Override
  public TypeSerializerSchemaCompatibility<TrainerState> resolveSchemaCompatibility(
      TypeSerializerSnapshot<TrainerState> oldSnapshot) {
    return oldSnapshot instanceof TrainerStateSerializerSnapshot
        ? TypeSerializerSchemaCompatibility.compatibleAsIs()
        : TypeSerializerSchemaCompatibility.incompatible();
  }
}
