package dev.rlflow.jobs.prm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.hdfs.MiniHdfs;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.traces.ProcessLabel;
import dev.rlflow.traces.TraceFiles;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.file.DataFileWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** prm-train reads its labels from a real HDFS (MiniDFSCluster) by an hdfs:// URI. */
class PrmTrainHdfsITCase {
  @RegisterExtension static final MiniHdfs HDFS = new MiniHdfs();

  @Test
  void trainsOnLabelsInHdfs(@TempDir Path out) throws Exception {
    String labels = HDFS.uri() + "/rlflow/process-labels";
    org.apache.hadoop.fs.FileSystem fs = HDFS.fileSystem();
    try (OutputStream stream = fs.create(new org.apache.hadoop.fs.Path(labels + "/part-0.avro"));
        DataFileWriter<ProcessLabel> writer = TraceFiles.writer(ProcessLabel.class, stream)) {
      for (int start = 1; start <= 10; start++) {
        String question = "start " + start + ", +1, +2";
        writer.append(label(question, List.of(), start + " + 1 = " + (start + 1), 1.0));
        writer.append(label(question, List.of(), start + " + 1 = " + (start + 3), 0.0));
      }
    }
    RunConfig config =
        RunConfigLoader.parse(
            """
            policy: {hidden_size: 32, num_layers: 1, num_heads: 2, num_kv_heads: 1,
                     intermediate_size: 64, max_seq_len: 64, device: cpu}
            prm: {init: scratch, confidence: none, updates: 5, warmup_updates: 1, batch_size: 4,
                  held_out_fraction: 0.2}
            """,
            "hdfs.yaml",
            Map.of("run.output_dir", out.toString(), "run.id", "hdfs"));
    StringWriter log = new StringWriter();
    PrintWriter print = new PrintWriter(log, true);
    try (JobRunner runner = new JobRunner(1, false, print)) {
      Pipeline.builder(config, print, Clock.systemUTC())
          .optLabels(new org.apache.flink.core.fs.Path(labels))
          .build()
          .run(List.of(Pipeline.Stage.PRM_TRAIN), Optional.empty(), runner);
    }
    JsonNode eval = new ObjectMapper().readTree(out.resolve("hdfs/prm-eval.json").toFile());
    assertThat(eval.get("labels_read").asLong()).isEqualTo(20);
    assertThat(eval.get("dead_letters").asLong()).isZero();
    assertThat(eval.get("init").asText()).isEqualTo("scratch");
    assertThat(out.resolve("hdfs/checkpoints/prm-soft/prm.json")).exists();
    assertThat(log.toString()).contains("prm-train: soft objective on hdfs://");
  }

  private static ProcessLabel label(String question, List<String> prefix, String step, double mc) {
    return ProcessLabel.newBuilder()
        .setQuestionId(question)
        .setQuestion(question)
        .setSearchId(1)
        .setPolicyVersion(0)
        .setPrefixSteps(prefix)
        .setStep(step)
        .setMcValue(mc)
        .setRollouts(4)
        .build();
  }
}
