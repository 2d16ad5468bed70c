package dev.rlflow.jobs.jar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.traces.ProcessLabel;
import dev.rlflow.traces.TraceFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.apache.avro.file.DataFileWriter;
import org.apache.flink.client.ClientUtils;
import org.apache.flink.client.deployment.executors.RemoteExecutor;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two jars the build makes, used the way users use them: {@code rlflow.jar} with {@code java
 * -jar} (its own embedded MiniCluster), and {@code rlflow-flink.jar} the way {@code flink run} runs
 * it (a packaged program, Flink from the cluster's class path, submitted to a running cluster's
 * REST endpoint).
 */
class PackagedJarsITCase {
  private static final Path EMBEDDED = Path.of(System.getProperty("rlflow.jar.embedded"));
  private static final Path FLINK_RUN = Path.of(System.getProperty("rlflow.jar.flink"));
  private static final String QUICKSTART = Path.of("..", "conf", "quickstart.yaml").toString();

  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @Test
  void flinkRunJarLeavesFlinkToTheCluster() throws IOException {
    try (JarFile jar = new JarFile(FLINK_RUN.toFile())) {
      assertThat(jar.getEntry("dev/rlflow/jobs/cli/RlflowCommand.class")).isNotNull();
      assertThat(jar.getEntry("dev/rlflow/core/config/RunConfig.class")).isNotNull();
      // What the trace sinks need and a Flink distribution lacks.
      for (String traces :
          List.of(
              "dev/rlflow/traces/ProcessLabel.class",
              "org/apache/avro/file/DataFileWriter.class",
              "org/apache/flink/formats/avro/AvroWriterFactory.class",
              "org/apache/flink/connector/kafka/sink/KafkaSink.class",
              "org/apache/kafka/clients/producer/KafkaProducer.class")) {
        assertThat(jar.getEntry(traces)).as(traces).isNotNull();
      }
      // The universal checkpoint's FileSystem API, so file:// works on a cluster without Hadoop.
      assertThat(jar.getEntry("org/apache/hadoop/fs/FileSystem.class")).isNotNull();
      // Flink and DJL come from the cluster's lib/ (DJL's native library loads once per JVM).
      assertThat(
              jar.getEntry(
                  "org/apache/flink/streaming/api/environment/"
                      + "StreamExecutionEnvironment.class"))
          .isNull();
      assertThat(jar.getEntry("ai/djl/ndarray/NDArray.class")).isNull();
      assertThat(jar.getEntry("ai/djl/pytorch/engine/PtEngine.class")).isNull();
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("dev.rlflow.jobs.cli.RlflowCommand");
    }
    // Without Flink and DJL it stays a fraction of the embedded jar, Hadoop's ~50 MB included.
    assertThat(Files.size(FLINK_RUN)).isLessThan(Files.size(EMBEDDED) / 3);
  }

  @Test
  void flinkRunJarRunsTheDatasetJobOnARunningCluster(
      @InjectClusterRESTAddress java.net.URI rest, @TempDir Path out) throws Exception {
    PackagedProgram program =
        PackagedProgram.newBuilder()
            .setJarFile(FLINK_RUN.toFile())
            .setArguments(
                "dataset",
                QUICKSTART,
                "-Drun.id=flink-run",
                "-Drun.output_dir=" + out,
                "-Dtask.train_examples=40",
                "-Dtask.test_examples=20")
            .build();
    Configuration conf = new Configuration();
    conf.set(DeploymentOptions.TARGET, RemoteExecutor.NAME);
    conf.set(RestOptions.ADDRESS, rest.getHost());
    conf.set(RestOptions.PORT, rest.getPort());
    conf.set(DeploymentOptions.ATTACHED, true);
    try {
      ClientUtils.executeProgram(new DefaultExecutorServiceLoader(), conf, program, false, false);
    } finally {
      program.close();
    }
    assertThat(countLines(out.resolve("flink-run/data/train"))).isEqualTo(40);
    assertThat(countLines(out.resolve("flink-run/data/test"))).isEqualTo(20);
  }

  @Test
  void embeddedJarRunsWithJavaJar(@TempDir Path out) throws Exception {
    Run help = java("--help");
    assertThat(help.exitValue()).isZero();
    assertThat(help.output()).contains("quickstart").contains("dataset");

    Run check = java("config", "check", QUICKSTART, "-Drollout.samples_per_prompt=0");
    assertThat(check.exitValue()).isEqualTo(2);
    assertThat(check.output())
        .contains("Invalid value 0 for rollout.samples_per_prompt: must be >= 1");

    Run run =
        java(
            "dataset",
            QUICKSTART,
            "-Drun.id=java-jar",
            "-Drun.output_dir=" + out,
            "-Dtask.train_examples=30",
            "-Dtask.test_examples=10");
    assertThat(run.exitValue()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("Flink web UI: http://localhost:")
        .contains("dead letters: 0");
    assertThat(countLines(out.resolve("java-jar/data/train"))).isEqualTo(30);

    Path traces = Files.createDirectories(out.resolve("traces"));
    try (DataFileWriter<ProcessLabel> writer =
        TraceFiles.writer(
            ProcessLabel.class, Files.newOutputStream(traces.resolve("part-0.avro")))) {
      writer.append(new ProcessLabel("q1", "start 1, +1", 1L, 0L, List.of(), "1 + 1 = 2", 1.0, 4));
    }
    Run tail = java("traces", "tail", "--dir", traces.toString());
    assertThat(tail.exitValue()).as(tail.output()).isZero();
    assertThat(tail.output()).contains("{\"question_id\":\"q1\",");
  }

  /** A finished {@code java -jar rlflow.jar} with everything it printed. */
  private record Run(int exitValue, String output) {}

  private static Run java(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-jar");
    command.add(EMBEDDED.toString());
    command.addAll(List.of(args));
    File log = File.createTempFile("rlflow-java-jar", ".log");
    log.deleteOnExit();
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("java -jar did not finish in 3 minutes: " + command);
    }
    return new Run(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
  }

  private static long countLines(Path dir) throws IOException {
    long lines = 0;
    for (File file : dir.toFile().listFiles((d, name) -> name.endsWith(".jsonl"))) {
      lines += Files.readAllLines(file.toPath()).size();
    }
    return lines;
  }
}
