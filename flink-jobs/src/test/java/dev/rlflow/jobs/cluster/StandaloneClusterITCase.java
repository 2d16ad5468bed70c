package dev.rlflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.jobs.hdfs.MiniHdfs;
import dev.rlflow.jobs.runner.ClusterCheck;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's cluster section, done as a user does it: a standalone Flink 2.2.1 session cluster
 * whose JobManager and TaskManager are separate JVMs, {@code lib/} = Flink's jars plus DJL's (the
 * build's {@code target/cluster-lib}), then {@code ./rlflow submit} and {@code flink run
 * rlflow-flink.jar} against it. Each command runs several jobs, each in a new job class loader, on
 * the same TaskManager: the case that fails when a job jar brings DJL along.
 */
class StandaloneClusterITCase {
  /** A real HDFS for the RL run's directory and weights. */
  @RegisterExtension static final MiniHdfs HDFS = new MiniHdfs();

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

  /**
   * DESIGN.md §4 on real JVMs: the RL job from {@code rlflow-flink.jar} on two TaskManagers,
   * rollout at parallelism 2 (one subtask per TaskManager), weights through the filesystem weight
   * store on a real HDFS, ends with the weights of the embedded run (one rollout subtask, in
   * memory).
   */
  @Test
  void rlOnTwoTaskManagersWithWeightsOnHdfsEndsWithTheEmbeddedWeights(@TempDir Path dir)
      throws Exception {
    Path config = writeConfig(dir);
    StandaloneCluster.Run sft = launcher(dir, "sft", config.toString(), "-Drun.id=sft");
    assertThat(sft.exitValue()).as(sft.output()).isZero();
    String policy = dir.resolve("runs/sft/checkpoints/sft").toString();
    List<String> rl =
        List.of(
            "run",
            config.toString(),
            "--checkpoint",
            policy,
            "--prm",
            "none",
            "-Drollout.prompts_per_batch=4",
            "-Drollout.samples_per_prompt=2",
            "-Drollout.max_new_tokens=24",
            "-Drollout.iterations=3",
            "-Drollout.max_staleness=1",
            "-Dalgorithm.name=grpo",
            "-Dalgorithm.minibatch_size=4");
    List<String> embedded = new java.util.ArrayList<>(rl);
    embedded.add("-Drun.id=embedded");
    StandaloneCluster.Run reference = launcher(dir, embedded.toArray(String[]::new));
    assertThat(reference.exitValue()).as(reference.output()).isZero();

    // Flink's FileSystem reaches hdfs:// through Hadoop on the cluster's class path: the
    // HADOOP_CLASSPATH a Flink cluster is given, here the build's Hadoop client jars.
    List<Path> hadoop =
        java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> e.contains("hadoop-client-api") || e.contains("hadoop-client-runtime"))
            .map(Path::of)
            .toList();
    assertThat(hadoop).hasSize(2);
    try (StandaloneCluster cluster =
        // One slot each: the job's two slots, so each TaskManager runs a rollout subtask.
        StandaloneCluster.start(LIB, hadoop, dir.resolve("cluster"), 2, 1)) {
      List<String> onCluster = new java.util.ArrayList<>(rl);
      onCluster.addAll(
          List.of(
              "-Drun.id=cluster",
              "-Drun.output_dir=" + HDFS.uri() + "/runs",
              "-Dplacement.mode=disaggregated",
              "-Dplacement.rollout_parallelism=2"));
      StandaloneCluster.Run run = cluster.flinkRun(FLINK_RUN_JAR, onCluster.toArray(String[]::new));
      assertThat(run.exitValue()).as(run.output() + cluster.logTails()).isZero();
      assertThat(sha256(run.output())).isEqualTo(sha256(reference.output()));

      // Colocated, the rollout subtask of the TaskManager without the trainer never sees a
      // version: named, without restarts, once rollout.version_timeout is over.
      List<String> colocated = new java.util.ArrayList<>(rl);
      colocated.addAll(
          List.of(
              "-Drun.id=colocated",
              "-Drun.output_dir=" + HDFS.uri() + "/runs",
              "-Dplacement.rollout_parallelism=2",
              "-Drollout.version_timeout=15s"));
      StandaloneCluster.Run stuck =
          cluster.flinkRun(FLINK_RUN_JAR, colocated.toArray(String[]::new));
      assertThat(stuck.exitValue()).as(stuck.output()).isNotZero();
      assertThat(stuck.output())
          .contains("with placement.mode colocated, weights move in the memory of one JVM")
          .contains("-Dplacement.mode=disaggregated");
    }
  }

  /** The RL weights' SHA-256 a run printed. */
  private static String sha256(String output) {
    java.util.regex.Matcher sha =
        java.util.regex.Pattern.compile("weights sha256 ([0-9a-f]{64})").matcher(output);
    assertThat(sha.find()).as(output).isTrue();
    return sha.group(1);
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
