package dev.rlflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.jobs.cli.RlflowCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code rlflow submit} runs the pipeline's jobs on a running cluster's REST endpoint. */
class SubmitITCase {
  /**
   * A plain running cluster with a REST endpoint. (Flink's MiniClusterExtension would install a
   * test context environment, which forbids the remote environment a real client uses.)
   */
  private static MiniCluster startCluster() throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_PORT, "0");
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(2)
                .build());
    cluster.start();
    return cluster;
  }

  @Test
  void submitsSftAndEvalToARunningCluster(@TempDir Path dir) throws Exception {
    try (MiniCluster cluster = startCluster()) {
      submit(cluster.getRestAddress().get(), dir);
    }
  }

  private static void submit(URI rest, Path dir) throws Exception {
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
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = RlflowCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int code =
        cli.execute(
            "submit", config.toString(), "--jobmanager", rest.getHost() + ":" + rest.getPort());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).doesNotContain("Flink web UI").contains("eval: accuracy");
    assertThat(dir.resolve("runs/submitted/checkpoints/sft/config.json")).exists();
    assertThat(dir.resolve("runs/submitted/eval.json")).exists();
    assertThat(
            RlflowCommand.commandLine()
                .execute("submit", config.toString(), "--jobmanager", "no-port"))
        .isEqualTo(2);
  }
}
