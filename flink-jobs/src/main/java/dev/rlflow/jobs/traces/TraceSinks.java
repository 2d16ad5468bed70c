package dev.rlflow.jobs.traces;

import dev.rlflow.core.config.TracesConfig;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.traces.TraceFiles;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.AvroWriterFactory;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Where a job's traces go (the {@code traces} configuration section): Avro container files under
 * {@code traces.file_directory} (default {@code <run dir>/traces}), one sub-directory per record
 * type, on any Flink FileSystem; and, when {@code traces.kafka_bootstrap} is set, the topic {@code
 * traces.kafka_topic} in Avro single-object encoding, keyed by question id.
 *
 * <p>Both sinks are two-phase: files are finished and Kafka transactions committed when the job
 * ends in BATCH mode, and on every checkpoint in STREAMING mode, so a failed or restarted job never
 * leaves a label behind twice. Kafka consumers read with {@code isolation.level = read_committed}.
 */
public final class TraceSinks {
  /** Sub-directory of the traces directory for process labels. */
  public static final String PROCESS_LABELS = "process-labels";

  /**
   * The producer's transaction timeout: the broker's default maximum ({@code
   * transaction.max.timeout.ms}, 15 min). The connector's own default (1 h) is refused by brokers
   * with default settings; the timeout must outlast a checkpoint interval plus a restart.
   */
  private static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  private TraceSinks() {}

  /**
   * Sends {@code labels} to the run's trace files and, when configured, to Kafka. Call once per
   * job: the sinks carry fixed operator ids, so that their state survives changes of the graph.
   *
   * @throws IllegalStateException when the job runs in STREAMING mode without checkpoints, where
   *     files would never be finished nor transactions committed
   */
  public static void processLabels(
      DataStream<ProcessLabel> labels, TracesConfig traces, RunDirectory run) {
    requireCommits(labels.getExecutionEnvironment());
    Class<dev.rlflow.traces.ProcessLabel> type = dev.rlflow.traces.ProcessLabel.class;
    DataStream<dev.rlflow.traces.ProcessLabel> avro =
        labels
            .map(ProcessLabelAvro::toAvro)
            .returns(new AvroTypeInfo<>(type))
            .name("process labels to Avro")
            .uid("process-labels-to-avro");
    avro.sinkTo(files(type, new Path(directory(traces, run), PROCESS_LABELS)))
        .name("process labels: Avro files")
        .uid("process-label-files");
    traces
        .kafkaBootstrap()
        .ifPresent(
            bootstrap ->
                avro.sinkTo(
                        kafka(
                            type,
                            bootstrap,
                            traces.kafkaTopic(),
                            label -> label.getQuestionId().getBytes(StandardCharsets.UTF_8),
                            "rlflow-" + run.runId() + "-" + PROCESS_LABELS))
                    .name("process labels: Kafka " + traces.kafkaTopic())
                    .uid("process-label-kafka"));
  }

  /** {@code traces.file_directory}, or {@code <run dir>/traces} when unset. */
  public static Path directory(TracesConfig traces, RunDirectory run) {
    return traces.fileDirectory().map(Path::new).orElseGet(() -> run.resolve("traces"));
  }

  private static void requireCommits(StreamExecutionEnvironment env) {
    RuntimeExecutionMode mode = env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE);
    if (mode != RuntimeExecutionMode.BATCH && !env.getCheckpointConfig().isCheckpointingEnabled()) {
      throw new IllegalStateException(
          "Traces are committed on checkpoints, but this "
              + mode
              + " job has checkpointing off: enable checkpointing or run the job in BATCH mode");
    }
  }

  /** Avro container files written through {@link TraceFiles#writer}, a part file per checkpoint. */
  private static <T extends SpecificRecord> FileSink<T> files(Class<T> type, Path directory) {
    return FileSink.forBulkFormat(
            directory, new AvroWriterFactory<>(out -> TraceFiles.writer(type, out)))
        .withBucketAssigner(new BasePathBucketAssigner<>())
        .withOutputFileConfig(OutputFileConfig.builder().withPartSuffix(".avro").build())
        .build();
  }

  private static <T extends SpecificRecord> KafkaSink<T> kafka(
      Class<T> type,
      String bootstrap,
      String topic,
      SerializationSchema<T> key,
      String transactionalIdPrefix) {
    return KafkaSink.<T>builder()
        .setBootstrapServers(bootstrap)
        .setRecordSerializer(
            KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setKeySerializationSchema(key)
                .setValueSerializationSchema(new SingleObjectEncoding<>(type))
                .build())
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setProperty(
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
            String.valueOf(TRANSACTION_TIMEOUT.toMillis()))
        .build();
  }
}
