package dev.rlflow.jobs.traces;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.config.TracesConfig;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.jobs.cli.CliRun;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.traces.TraceCodec;
import dev.rlflow.traces.TraceFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process labels through both trace sinks on a real embedded MiniCluster and a real KRaft broker in
 * this JVM, read back the way consumers read them: a plain Kafka consumer decoding single-object
 * encoding, the Avro container reader, and {@code rlflow traces tail}.
 */
@Timeout(180)
class TraceSinksITCase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<ProcessLabel> LABELS =
      List.of(
          new ProcessLabel("q1", "start 3, +4, ×2", 1L, 0L, List.of(), "3 + 4 = 7", 1.0, 8),
          new ProcessLabel(
              "q1", "start 3, +4, ×2", 1L, 0L, List.of("3 + 4 = 7"), "7 × 2 = 15", 0.0, 8),
          new ProcessLabel("q2", "start 9, -2", 2L, 0L, List.of(), "9 - 2 = 7", 0.625, 8),
          new ProcessLabel("q2", "start 9, -2", 2L, 0L, List.of("9 - 2 = 7"), "answer: 7", 1.0, 0),
          new ProcessLabel("q3", "start 1, ×5 — «x»", 3L, 1L, List.of(), "1 × 5 = 5", 0.5, 4));

  private static KafkaClusterTestKit kafka;
  private static JobRunner runner;

  @BeforeAll
  static void start() throws Exception {
    kafka =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            // One broker: internal topics (transactions, offsets) with one replica.
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.num.partitions", "1")
            .build();
    kafka.format();
    kafka.startup();
    kafka.waitForReadyBrokers();
    runner = new JobRunner(1, false, new PrintWriter(new StringWriter(), true));
  }

  @AfterAll
  static void stop() throws Exception {
    if (runner != null) {
      runner.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aBatchJobLeavesFinishedFilesAndCommittedRecords(@TempDir Path dir) throws Exception {
    String topic = createTopic("labels-batch");
    write(RuntimeExecutionMode.BATCH, topic, dir);

    assertThat(readFiles(dir.resolve("traces"))).containsExactlyInAnyOrderElementsOf(LABELS);
    assertThat(readTopic(topic)).containsExactlyInAnyOrderElementsOf(LABELS);

    // The CLI reads the same records, as JSON lines.
    CliRun tail =
        CliRun.of(
            "traces",
            "tail",
            "--kafka",
            kafka.bootstrapServers(),
            "--topic",
            topic,
            "--from-beginning",
            "--max",
            String.valueOf(LABELS.size()));
    assertThat(tail.exitCode()).as(tail.err()).isZero();
    List<String> printed = new ArrayList<>();
    for (String line : tail.out().lines().toList()) {
      JsonNode json = JSON.readTree(line);
      printed.add(json.get("question_id").asText() + ": " + json.get("step").asText());
    }
    assertThat(printed)
        .containsExactlyInAnyOrderElementsOf(
            LABELS.stream().map(l -> l.questionId() + ": " + l.step()).toList());

    CliRun missing =
        CliRun.of("traces", "tail", "--kafka", kafka.bootstrapServers(), "--topic", "nothing");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("No topic nothing on Kafka at " + kafka.bootstrapServers());
  }

  @Test
  void aCheckpointedStreamingJobLeavesFinishedFilesAndCommittedRecords(@TempDir Path dir)
      throws Exception {
    String topic = createTopic("labels-streaming");
    write(RuntimeExecutionMode.STREAMING, topic, dir);

    assertThat(readFiles(dir.resolve("traces"))).containsExactlyInAnyOrderElementsOf(LABELS);
    assertThat(readTopic(topic)).containsExactlyInAnyOrderElementsOf(LABELS);
  }

  /** Runs a job that sends {@link #LABELS} to both sinks, as a job of run {@code it} would. */
  private static void write(RuntimeExecutionMode mode, String topic, Path dir) throws Exception {
    TracesConfig traces =
        new TracesConfig(Optional.of(kafka.bootstrapServers()), topic, Optional.empty());
    RunDirectory run =
        new RunDirectory("it-" + topic, new org.apache.flink.core.fs.Path(dir.toUri()));
    runner.run(
        "labels " + mode,
        env -> {
          env.setRuntimeMode(mode);
          if (mode == RuntimeExecutionMode.STREAMING) {
            env.enableCheckpointing(200);
          }
          TraceSinks.processLabels(env.fromData(LABELS), traces, run);
        });
  }

  /** The labels of every finished file; asserts that none is left in progress. */
  private static List<ProcessLabel> readFiles(Path traces) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(traces)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files)
        .isNotEmpty()
        .allSatisfy(
            f -> {
              assertThat(f.getParent()).isEqualTo(traces.resolve(TraceSinks.PROCESS_LABELS));
              assertThat(f.getFileName().toString()).startsWith("part-").endsWith(".avro");
            });
    List<ProcessLabel> labels = new ArrayList<>();
    for (Path file : files) {
      try (DataFileStream<dev.rlflow.traces.ProcessLabel> records =
          TraceFiles.reader(dev.rlflow.traces.ProcessLabel.class, Files.newInputStream(file))) {
        records.forEach(r -> labels.add(ProcessLabelAvro.fromAvro(r)));
      }
    }
    return labels;
  }

  private static String createTopic(String name) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, 2, (short) 1))).all().get();
    }
    return name;
  }

  /**
   * Every committed record of the topic, read with a plain consumer without a group and decoded
   * from single-object encoding; asserts that each is keyed by its question id.
   */
  private static List<ProcessLabel> readTopic(String topic) throws IOException {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    TraceCodec<dev.rlflow.traces.ProcessLabel> codec =
        TraceCodec.of(dev.rlflow.traces.ProcessLabel.class);
    List<ProcessLabel> labels = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      // The job has ended: everything it committed lies below these offsets.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          ProcessLabel label = ProcessLabelAvro.fromAvro(codec.decode(record.value()));
          assertThat(new String(record.key(), StandardCharsets.UTF_8))
              .isEqualTo(label.questionId());
          labels.add(label);
        }
      }
    }
    return labels;
  }
}
