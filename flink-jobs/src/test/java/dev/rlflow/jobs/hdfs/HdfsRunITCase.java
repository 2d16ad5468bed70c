package dev.rlflow.jobs.hdfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs on HDFS as users run them: {@code ./rlflow} with {@code HADOOP_CLASSPATH} naming a Hadoop
 * configuration whose {@code fs.defaultFS} is a real HDFS (MiniDFSCluster), and run directories at
 * {@code hdfs:///…} — a URI only that configuration completes. sft, eval and run (RL) write their
 * whole run directory there: configuration, metrics, report, summary, every checkpoint; and read
 * their policy back from it.
 */
class HdfsRunITCase {
  @RegisterExtension static final MiniHdfs HDFS = new MiniHdfs();

  private static final Path LAUNCHER = Path.of("..", "rlflow").toAbsolutePath().normalize();

  @Test
  void sftEvalAndRlWriteTheirWholeRunDirectoriesToHdfs(@TempDir Path dir) throws Exception {
    Path hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
    Files.writeString(
        hadoopConf.resolve("core-site.xml"),
        """
        <?xml version="1.0"?>
        <configuration>
          <property><name>fs.defaultFS</name><value>%s</value></property>
        </configuration>
        """
            .formatted(HDFS.uri()));
    Path config = dir.resolve("small.yaml");
    Files.writeString(
        config,
        """
        run: {output_dir: "hdfs:///rlflow/runs"}
        task: {train_examples: 16, test_examples: 8}
        policy: {hidden_size: 16, num_layers: 1, num_heads: 2, num_kv_heads: 1,
                 intermediate_size: 32, max_seq_len: 192, device: cpu}
        sft: {updates: 4, batch_size: 4, warmup_updates: 1}
        eval: {samples: 0}
        rollout: {prompts_per_batch: 2, samples_per_prompt: 2, max_new_tokens: 16, iterations: 2}
        algorithm: {name: grpo, epochs: 1, minibatch_size: 4}
        """);
    String sft = "hdfs:///rlflow/runs/sft/checkpoints/sft";

    // hdfs:/// names no NameNode: only the configuration on HADOOP_CLASSPATH completes it.
    Run without = launcher(null, "sft", config.toString(), "-Drun.id=sft");
    assertThat(without.exitValue()).as(without.output()).isNotZero();
    assertThat(without.output()).contains("hdfs:/rlflow/runs").contains("authority");

    Run trained = launcher(hadoopConf, "sft", config.toString(), "-Drun.id=sft");
    assertThat(trained.exitValue()).as(trained.output()).isZero();
    Run evaluated =
        launcher(hadoopConf, "eval", config.toString(), "--checkpoint", sft, "-Drun.id=eval");
    assertThat(evaluated.exitValue()).as(evaluated.output()).isZero();
    Run rl =
        launcher(
            hadoopConf,
            "run",
            config.toString(),
            "--checkpoint",
            sft,
            "--prm",
            "none",
            "-Drun.id=rl");
    assertThat(rl.exitValue()).as(rl.output()).isZero();

    FileSystem fs = HDFS.fileSystem();
    for (String file :
        List.of(
            "sft/config.yaml",
            "sft/metrics.csv",
            "sft/summary.json",
            "sft/report.html",
            "sft/checkpoints/sft/config.json",
            "sft/checkpoints/sft/model.safetensors",
            "sft/checkpoints/sft/provenance.json",
            "eval/eval.json",
            "eval/report.html",
            "rl/metrics.csv",
            "rl/summary.json",
            "rl/checkpoints/rl/model.safetensors")) {
      assertThat(fs.exists(new org.apache.hadoop.fs.Path("/rlflow/runs/" + file)))
          .as("hdfs:///rlflow/runs/" + file)
          .isTrue();
    }
    assertThat(fs.exists(new org.apache.hadoop.fs.Path("/rlflow/runs/rl/checkpoints/rl-state")))
        .as("the RL trainer's checkpoints")
        .isTrue();
  }

  /** A finished {@code ./rlflow} and everything it printed. */
  private record Run(int exitValue, String output) {}

  /** {@code ./rlflow ARGS…} with {@code hadoopConf} as HADOOP_CLASSPATH (none when null). */
  private static Run launcher(Path hadoopConf, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(LAUNCHER.toString());
    command.addAll(List.of(args));
    File log = File.createTempFile("rlflow-hdfs", ".log");
    log.deleteOnExit();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("RLFLOW_HEAP", "1g");
    builder.environment().remove("HADOOP_CLASSPATH");
    if (hadoopConf != null) {
      builder.environment().put("HADOOP_CLASSPATH", hadoopConf.toString());
    }
    Process process = builder.redirectOutput(log).start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("did not finish in 5 minutes: " + command);
    }
    return new Run(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
  }
}
