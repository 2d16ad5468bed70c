package dev.rlflow.jobs.traces;

import dev.rlflow.traces.InvalidTraceException;
import dev.rlflow.traces.ProcessLabel;
import dev.rlflow.traces.TraceCodec;
import dev.rlflow.traces.TraceFiles;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.file.DataFileStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads process labels back from where {@link TraceSinks} writes them, for {@code rlflow traces
 * tail}: the finished Avro files under a directory, or a Kafka topic.
 */
public final class ProcessLabelTail {
  private static final Duration POLL = Duration.ofSeconds(1);

  private ProcessLabelTail() {}

  /**
   * Hands the labels of every finished {@code .avro} file under {@code directory} (sub-directories
   * included, oldest file first) to {@code out}, at most {@code max}. Files still being written
   * (hidden {@code .part-…inprogress} files) are skipped.
   *
   * @return how many labels were handed over
   * @throws IllegalArgumentException when {@code directory} does not exist
   */
  public static long files(Path directory, long max, Consumer<ProcessLabel> out)
      throws IOException {
    FileSystem fs = directory.getFileSystem();
    if (!fs.exists(directory) || !fs.getFileStatus(directory).isDir()) {
      throw new IllegalArgumentException("No such directory: " + directory);
    }
    List<FileStatus> files = new ArrayList<>();
    collectFinished(fs, directory, files);
    files.sort(
        Comparator.comparingLong(FileStatus::getModificationTime)
            .thenComparing(f -> f.getPath().toString()));
    long count = 0;
    for (FileStatus file : files) {
      try (DataFileStream<ProcessLabel> labels =
          TraceFiles.reader(ProcessLabel.class, fs.open(file.getPath()))) {
        while (count < max && labels.hasNext()) {
          out.accept(labels.next());
          count++;
        }
      } catch (InvalidTraceException e) {
        throw new InvalidTraceException(file.getPath() + ": " + e.getMessage(), e);
      }
    }
    return count;
  }

  private static void collectFinished(FileSystem fs, Path directory, List<FileStatus> files)
      throws IOException {
    for (FileStatus status : fs.listStatus(directory)) {
      String name = status.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_")) {
        continue;
      }
      if (status.isDir()) {
        collectFinished(fs, status.getPath(), files);
      } else if (name.endsWith(".avro")) {
        files.add(status);
      }
    }
  }

  /**
   * Hands the labels of {@code topic} to {@code out}, decoded from single-object encoding: from the
   * earliest offsets or only those produced from now on, until {@code max} have come (with {@code
   * Long.MAX_VALUE}, until the process ends). Reads committed records only, without a consumer
   * group: tailing leaves no offsets behind.
   *
   * @throws IllegalArgumentException when the topic does not exist
   * @throws InvalidTraceException on a record that is not a process label
   */
  public static long kafka(
      String bootstrap, String topic, boolean fromBeginning, long max, Consumer<ProcessLabel> out)
      throws IOException {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    // TraceSinks writes in transactions: records of aborted attempts must stay invisible.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    TraceCodec<ProcessLabel> codec = TraceCodec.of(ProcessLabel.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = partitions(consumer, bootstrap, topic);
      consumer.assign(partitions);
      if (fromBeginning) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
      }
      long count = 0;
      while (count < max) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          out.accept(decode(codec, record));
          if (++count == max) {
            break;
          }
        }
      }
      return count;
    }
  }

  private static List<TopicPartition> partitions(
      KafkaConsumer<byte[], byte[]> consumer, String bootstrap, String topic) throws IOException {
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("No topic " + topic + " on Kafka at " + bootstrap);
      }
      return partitions;
    } catch (TimeoutException e) {
      throw new IOException("No answer from Kafka at " + bootstrap + ": " + e.getMessage(), e);
    }
  }

  private static ProcessLabel decode(
      TraceCodec<ProcessLabel> codec, ConsumerRecord<byte[], byte[]> record)
      throws InvalidTraceException {
    String where = record.topic() + "-" + record.partition() + " offset " + record.offset();
    if (record.value() == null) {
      throw new InvalidTraceException(where + ": a record without a value (a tombstone)");
    }
    try {
      return codec.decode(record.value());
    } catch (InvalidTraceException e) {
      throw new InvalidTraceException(where + ": " + e.getMessage(), e);
    }
  }
}
