package dev.rlflow.core.config;

import java.util.List;
import java.util.Optional;

/**
 * The {@code traces} section: where reward traces and process labels stream (Avro, schemas in the
 * traces module).
 *
 * @param kafkaBootstrap Kafka bootstrap servers; empty for no Kafka output
 * @param kafkaTopic the topic reward traces go to
 * @param fileDirectory Avro container files; empty for {@code <run dir>/traces}
 */
public record TracesConfig(
    Optional<String> kafkaBootstrap, String kafkaTopic, Optional<String> fileDirectory) {

  static final ConfigOption<String> KAFKA_BOOTSTRAP =
      ConfigOption.optional(
          "traces.kafka_bootstrap",
          ValueType.STRING,
          Rule.matches(
              "[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*", "be host:port[,host:port...] with no spaces"),
          "Kafka bootstrap servers (host:port,...). Unset: traces go to files only.");
  static final ConfigOption<String> KAFKA_TOPIC =
      ConfigOption.of(
          "traces.kafka_topic",
          ValueType.STRING,
          "rlflow-traces",
          Rule.matches("[A-Za-z0-9._-]{1,249}", "be a legal Kafka topic name ([A-Za-z0-9._-])"),
          "Topic for reward traces (Avro single-object encoding).");
  static final ConfigOption<String> FILE_DIRECTORY =
      ConfigOption.optional(
          "traces.file_directory",
          ValueType.STRING,
          Rule.nonEmpty(),
          "Directory for Avro container files of traces, a path or FileSystem URI. Unset:"
              + " <run dir>/traces.");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(KAFKA_BOOTSTRAP, KAFKA_TOPIC, FILE_DIRECTORY);

  static TracesConfig from(ConfigValues v) {
    return new TracesConfig(
        v.optional(KAFKA_BOOTSTRAP), v.get(KAFKA_TOPIC), v.optional(FILE_DIRECTORY));
  }
}
