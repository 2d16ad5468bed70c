package dev.rlflow.jobs.traces;

import dev.rlflow.traces.TraceCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Kafka values in Avro single-object encoding ({@link TraceCodec}). */
final class SingleObjectEncoding<T extends SpecificRecord> implements SerializationSchema<T> {
  private final Class<T> type;
  // The codec is not serializable; each sink subtask builds its own.
  private transient TraceCodec<T> codec;

  SingleObjectEncoding(Class<T> type) {
    this.type = type;
  }

  @Override
  public void open(InitializationContext context) {
    codec = TraceCodec.of(type);
  }

  @Override
  public byte[] serialize(T record) {
    return codec.encode(record);
  }
}
