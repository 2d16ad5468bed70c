package dev.rlflow.jobs.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.config.TracesConfig;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.jobs.runner.RunDirectory;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class TraceSinksTest {
  private static final RunDirectory RUN = new RunDirectory("r1", new Path("/tmp/runs/r1"));
  private static final TracesConfig FILES_ONLY =
      new TracesConfig(Optional.empty(), "rlflow-traces", Optional.empty());

  @Test
  void filesGoToTheRunDirectoryUnlessConfigured() {
    assertThat(TraceSinks.directory(FILES_ONLY, RUN)).isEqualTo(new Path("/tmp/runs/r1/traces"));
    TracesConfig elsewhere =
        new TracesConfig(Optional.empty(), "t", Optional.of("hdfs://nn:8020/traces"));
    assertThat(TraceSinks.directory(elsewhere, RUN)).isEqualTo(new Path("hdfs://nn:8020/traces"));
  }

  @Test
  void aStreamingJobWithoutCheckpointsIsRefused() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    assertThatThrownBy(() -> TraceSinks.processLabels(labels(env), FILES_ONLY, RUN))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Traces are committed on checkpoints, but this STREAMING job has checkpointing off:"
                + " enable checkpointing or run the job in BATCH mode");
  }

  @Test
  void batchJobsAndCheckpointedStreamingJobsGetBothSinks() {
    TracesConfig withKafka =
        new TracesConfig(Optional.of("localhost:9092"), "labels", Optional.empty());
    StreamExecutionEnvironment batch = StreamExecutionEnvironment.getExecutionEnvironment();
    batch.setRuntimeMode(RuntimeExecutionMode.BATCH);
    TraceSinks.processLabels(labels(batch), withKafka, RUN);
    assertThat(batch.getStreamGraph().getStreamNodes())
        .extracting(StreamNode::getOperatorName)
        .anyMatch(name -> name.contains("Avro files"))
        .anyMatch(name -> name.contains("Kafka labels"));

    StreamExecutionEnvironment streaming = StreamExecutionEnvironment.getExecutionEnvironment();
    streaming.enableCheckpointing(1000);
    TraceSinks.processLabels(labels(streaming), FILES_ONLY, RUN);
    assertThat(streaming.getStreamGraph().getStreamNodes())
        .extracting(StreamNode::getOperatorName)
        .anyMatch(name -> name.contains("Avro files"))
        .noneMatch(name -> name.contains("Kafka"));
  }

  private static DataStream<ProcessLabel> labels(StreamExecutionEnvironment env) {
    return env.fromData(new ProcessLabel("q", "question", 1L, 0L, List.of(), "step", 1.0, 0));
  }
}
