package dev.rlflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.jobs.runner.ClusterCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's cluster section, done as a user does it: a standalone Flink 2.2.1 session cluster
 * whose JobManager and TaskManager are separate JVMs, {@code lib/} = Flink's jars plus DJL's (the
 * build's {@code target/cluster-lib}), then {@code ./rlflow submit} and {@code flink run
 * rlflow-flink.jar} against it. Each command runs several jobs, each in a new job class loader, on
 * the same TaskManager: the case that fails when a job jar brings DJL along.
 */
class StandaloneClusterITCase {
  private static final Path LIB = Path.of(System.getProperty("rlflow.cluster.lib"));
  private static final Path FLINK_RUN_JAR = Path.of(System.getProperty("rlflow.jar.flink"));
  private static final Path EMBEDDED_JAR = Path.of(System.getProperty("rlflow.jar.embedded"));

  /** DJL's own jars, which the second test leaves out of lib/. */
  private static final List<String> DJL =
      ClusterCheck.requiredJars().stream().filter(jar -> jar.startsWith("ai.djl")).toList();

  private static final Path LAUNCHER = Path.of("..", "rlflow").toAbsolutePath().normalize();

  @Test
  void submitAndFlinkRunFinishOnAStandaloneCluster(@TempDir Path dir) throws Exception {
    Path config = writeConfig(dir);
    try (StandaloneCluster cluster = StandaloneCluster.start(LIB, dir.resolve("cluster"), 1)) {
      // An invalid configuration is refused before anything reaches the cluster.
      StandaloneCluster.Run invalid = submit(dir, config, cluster, "-Dsft.updates=0");
      assertThat(invalid.exitValue()).as(invalid.output()).isEqualTo(2);
      assertThat(invalid.output()).contains("Invalid value 0 for sft.updates");
      // So is a job jar that bundles DJL.
      StandaloneCluster.Run fat = submit(dir, config, cluster, "--jar", EMBEDDED_JAR.toString());
      assertThat(fat.exitValue()).as(fat.output()).isEqualTo(2);
      assertThat(fat.output()).contains("bundles DJL or Flink").contains("rlflow-flink.jar");
      StandaloneCluster.Run fatFlinkRun =
          cluster.flinkRun(EMBEDDED_JAR, "sft", config.toString(), "-Drun.id=fat");
      assertThat(fatFlinkRun.exitValue()).as(fatFlinkRun.output()).isNotZero();
      assertThat(fatFlinkRun.output())
          .contains("rlflow sft: the cluster cannot run rlflow's jobs: The job jar bundles DJL");
      assertThat(cluster.jobs()).isEmpty();

      StandaloneCluster.Run badAddress =
          launcher(dir, "submit", config.toString(), "--jobmanager", "no-port");
      assertThat(badAddress.exitValue()).as(badAddress.output()).isEqualTo(2);
      assertThat(badAddress.output()).contains("Invalid value no-port for --jobmanager");

      StandaloneCluster.Run submit = submit(dir, config, cluster, "--stages", "sft,eval");
      assertThat(submit.exitValue()).as(submit.output() + cluster.logTails()).isZero();
      assertThat(submit.output()).contains("eval: accuracy");
      Path sft = dir.resolve("runs/submitted/checkpoints/sft");
      assertThat(sft.resolve("model.safetensors")).exists();
      assertThat(dir.resolve("runs/submitted/eval.json")).exists();

      StandaloneCluster.Run flinkRun =
          cluster.flinkRun(
              FLINK_RUN_JAR,
              "eval",
              config.toString(),
              "-Drun.id=flink-run",
              "--checkpoint",
              sft.toString());
      assertThat(flinkRun.exitValue()).as(flinkRun.output() + cluster.logTails()).isZero();
      assertThat(flinkRun.output()).contains("eval: accuracy");
      assertThat(dir.resolve("runs/flink-run/eval.json")).exists();

      // Each command checked the cluster once, then ran its jobs; none failed.
      List<Map.Entry<String, String>> jobs = cluster.jobs();
      assertThat(jobs).extracting(Map.Entry::getValue).containsOnly("FINISHED");
      assertThat(jobs)
          .extracting(Map.Entry::getKey)
          .filteredOn(name -> name.equals("rlflow cluster check"))
          .hasSize(2);
      assertThat(jobs).hasSizeGreaterThanOrEqualTo(5); // + sft, eval (submit), eval (flink run)
    }
  }

  @Test
  void aClusterWithoutDjlIsNamedBeforeAnyJobRuns(@TempDir Path dir) throws Exception {
    Path lib = Files.createDirectories(dir.resolve("lib"));
    try (var jars = Files.list(LIB)) {
      for (Path jar : jars.toList()) {
        if (!jar.getFileName().toString().startsWith("ai.djl")) {
          Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar);
        }
      }
    }
    Path config = writeConfig(dir);
    try (StandaloneCluster cluster = StandaloneCluster.start(lib, dir.resolve("cluster"), 1)) {
      StandaloneCluster.Run submit = submit(dir, config, cluster);
      assertThat(submit.exitValue()).as(submit.output()).isEqualTo(1);
      assertThat(submit.output())
          .contains("rlflow submit: the cluster cannot run rlflow's jobs: DJL is not on the")
          .contains(DJL)
          .contains("README.md, section \"On a Flink cluster\"")
          .doesNotContain("Exception");

      StandaloneCluster.Run flinkRun = cluster.flinkRun(FLINK_RUN_JAR, "sft", config.toString());
      assertThat(flinkRun.exitValue()).as(flinkRun.output()).isNotZero();
      assertThat(flinkRun.output())
          .contains("rlflow sft: the cluster cannot run rlflow's jobs: DJL is not on the")
          .contains(DJL);

      // Only the probe ran (the flink run client found DJL missing on its own class path).
      assertThat(cluster.jobs()).containsExactly(Map.entry("rlflow cluster check", "FINISHED"));
    }
    assertThat(dir.resolve("runs/submitted/checkpoints")).doesNotExist();
  }

  private static Path writeConfig(Path dir) throws Exception {
    Path config = dir.resolve("small.yaml");
    Files.writeString(
        config,
        """
        run: {id: submitted, output_dir: %s}
        task: {train_examples: 16, test_examples: 8}
        policy: {hidden_size: 16, num_layers: 1, num_heads: 2, num_kv_heads: 1,
                 intermediate_size: 32, max_seq_len: 192, device: cpu}
        sft: {updates: 4, batch_size: 4, warmup_updates: 1}
        eval: {samples: 0}
        """
            .formatted(dir.resolve("runs")));
    return config;
  }

  /** {@code ./rlflow submit CONFIG --jobmanager … OPTIONS…}. */
  private static StandaloneCluster.Run submit(
      Path dir, Path config, StandaloneCluster cluster, String... options) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("submit", config.toString(), "--jobmanager", cluster.jobManager()));
    args.addAll(List.of(options));
    return launcher(dir, args.toArray(String[]::new));
  }

  /** {@code ./rlflow ARGS…}, the launcher users run, with a small heap. */
  private static StandaloneCluster.Run launcher(Path dir, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(LAUNCHER.toString());
    command.addAll(List.of(args));
    return StandaloneCluster.Run.of(command, Map.of("RLFLOW_HEAP", "1g"), dir);
  }
}
