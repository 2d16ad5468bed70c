package dev.rlflow.jobs.rlhf;

import dev.rlflow.training.rl.TrainerCheckpoint;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer of {@link TrainerState}, so that the trainer's operator state has a declared,
 * versioned format instead of a reflective one. Format 1, in this order: version, oldest,
 * iterations, actor steps, critic steps (longs), KL beta (double), directory (modified UTF-8). A
 * change of format bumps {@link TrainerStateSerializerSnapshot#VERSION} and keeps reading the
 * earlier ones.
 */
public final class TrainerStateSerializer extends TypeSerializerSingleton<TrainerState> {
  private static final long serialVersionUID = 1L;

  /** The serializer; it is stateless. */
  public static final TrainerStateSerializer INSTANCE = new TrainerStateSerializer();

  private TrainerStateSerializer() {}

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public TrainerState createInstance() {
    return new TrainerState(0, 0, new TrainerCheckpoint.Counters(0, 0, 0, 0), "");
  }

  @Override
  public TrainerState copy(TrainerState from) {
    return from;
  }

  @Override
  public TrainerState copy(TrainerState from, TrainerState reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1; // the directory's length varies
  }

  @Override
  public void serialize(TrainerState state, DataOutputView out) throws IOException {
    TrainerCheckpoint.Counters c = state.counters();
    out.writeLong(state.version());
    out.writeLong(state.oldest());
    out.writeLong(c.iterations());
    out.writeLong(c.actorSteps());
    out.writeLong(c.criticSteps());
    out.writeDouble(c.klCoef());
    out.writeUTF(state.directory());
  }

  @Override
  public TrainerState deserialize(DataInputView in) throws IOException {
    long version = in.readLong();
    long oldest = in.readLong();
    TrainerCheckpoint.Counters counters =
        new TrainerCheckpoint.Counters(
            in.readLong(), in.readLong(), in.readLong(), in.readDouble());
    return new TrainerState(version, oldest, counters, in.readUTF());
  }

  @Override
  public TrainerState deserialize(TrainerState reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public TypeSerializerSnapshot<TrainerState> snapshotConfiguration() {
    return new TrainerStateSerializerSnapshot();
  }
}
