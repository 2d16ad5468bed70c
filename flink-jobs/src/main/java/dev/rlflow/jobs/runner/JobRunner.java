package dev.rlflow.jobs.runner;

import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs a job graph where the process was started: under {@code flink run} in the context the Flink
 * client provides, under {@code submit} on a running cluster's REST endpoint, and under {@code java
 * -jar} (the {@code ./rlflow} launcher) on an embedded MiniCluster ({@link EmbeddedCluster}) with
 * its web UI on a free local port, or with the REST API only. On a cluster, the first job is
 * preceded by {@link ClusterCheck}.
 *
 * <p>The embedded cluster is owned here rather than created implicitly by a local environment, so
 * that its REST address (the web UI) is known and printed, and so that submission goes through the
 * same REST path a remote cluster uses.
 */
public final class JobRunner implements AutoCloseable {
  private final int slots;
  private final boolean webUi;
  private final PrintWriter out;
  private final java.net.URI remote;
  private final String[] jobJars;
  private boolean clusterChecked;
  private Consumer<StreamExecutionEnvironment> setup = env -> {};
  private MiniCluster cluster;
  private java.net.URI restAddress;

  /**
   * A runner on an embedded MiniCluster.
   *
   * @param slots task slots of the embedded TaskManager
   * @param webUi whether the cluster serves Flink's web dashboard (its REST API is always served,
   *     on {@code localhost})
   * @param out where the web UI address and job status lines go
   */
  public JobRunner(int slots, boolean webUi, PrintWriter out) {
    this(slots, webUi, out, null, new String[0]);
  }

  private JobRunner(
      int slots, boolean webUi, PrintWriter out, java.net.URI remote, String[] jobJars) {
    if (slots < 1) {
      throw new IllegalArgumentException("slots must be >= 1, got " + slots);
    }
    this.slots = slots;
    this.webUi = webUi;
    this.out = out;
    this.remote = remote;
    this.jobJars = jobJars;
  }

  /**
   * A runner that submits to a running cluster's REST endpoint ({@code host:port}), shipping {@code
   * jobJar} with every job (none when the classes are on the cluster's class path already, as in
   * tests). The jar must be one {@code flink run} takes: without Flink and DJL, which the cluster's
   * {@code lib/} provides ({@link ClusterCheck}).
   */
  public static JobRunner remote(
      String jobManager, java.util.Optional<java.nio.file.Path> jobJar, PrintWriter out) {
    java.net.URI address = java.net.URI.create("http://" + jobManager);
    if (address.getHost() == null || address.getPort() < 0) {
      throw new IllegalArgumentException(
          "Invalid value " + jobManager + " for --jobmanager: must be host:port");
    }
    return new JobRunner(
        1,
        false,
        out,
        address,
        jobJar.map(jar -> new String[] {jar.toString()}).orElseGet(() -> new String[0]));
  }

  /** True when started by {@code flink run} (or another Flink client context). */
  public static boolean inFlinkClientContext() {
    return !(StreamExecutionEnvironment.getExecutionEnvironment()
        instanceof LocalStreamEnvironment);
  }

  /** Builds the graph with {@code define}, runs it to completion and returns its result. */
  public JobExecutionResult run(String jobName, Consumer<StreamExecutionEnvironment> define)
      throws Exception {
    return onCluster(
        env -> {
          define.accept(env);
          return env.execute(jobName);
        });
  }

  /**
   * Builds the graph with {@code define} and hands every record of the stream it returns to {@code
   * onRecord} as the job produces it (progress, metrics), until the job ends.
   */
  public <T> void collect(
      String jobName,
      Function<StreamExecutionEnvironment, DataStream<T>> define,
      Consumer<T> onRecord)
      throws Exception {
    onCluster(
        env -> {
          try (CloseableIterator<T> records = define.apply(env).executeAndCollect(jobName)) {
            records.forEachRemaining(onRecord);
          }
          return null;
        });
  }

  /** What to do with an environment connected to the cluster this process runs on. */
  @FunctionalInterface
  private interface ClusterWork<R> {
    R run(StreamExecutionEnvironment env) throws Exception;
  }

  /** Applies {@code setup} (checkpointing, restart strategy …) to the environment of every job. */
  public void configureJobs(Consumer<StreamExecutionEnvironment> setup) {
    this.setup = setup;
  }

  private <R> R onCluster(ClusterWork<R> work) throws Exception {
    // The embedded cluster runs in this JVM, where DJL is on the class path already.
    if (!clusterChecked && (remote != null || inFlinkClientContext())) {
      ClusterCheck.verify(environment());
      clusterChecked = true;
    }
    StreamExecutionEnvironment env = environment();
    setup.accept(env);
    return work.run(env);
  }

  /** A new environment for one job on this runner's cluster. */
  private StreamExecutionEnvironment environment() throws Exception {
    if (remote != null) {
      return StreamExecutionEnvironment.createRemoteEnvironment(
          remote.getHost(), remote.getPort(), jobJars);
    }
    if (inFlinkClientContext()) {
      return StreamExecutionEnvironment.getExecutionEnvironment();
    }
    java.net.URI rest = embeddedCluster();
    return StreamExecutionEnvironment.createRemoteEnvironment(rest.getHost(), rest.getPort());
  }

  /** Starts the embedded cluster on first use; every job of this runner then shares it. */
  private java.net.URI embeddedCluster() throws Exception {
    if (cluster == null) {
      Configuration conf = new Configuration();
      conf.set(RestOptions.BIND_PORT, "0");
      conf.set(RestOptions.ADDRESS, "localhost");
      conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
      MiniCluster started =
          new EmbeddedCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(conf)
                  .setNumTaskManagers(1)
                  .setNumSlotsPerTaskManager(slots)
                  .build(),
              webUi);
      started.start();
      cluster = started;
      restAddress = started.getRestAddress().get();
      out.println((webUi ? "Flink web UI: " : "Flink REST API (web UI off): ") + restAddress);
      out.flush();
    }
    return restAddress;
  }

  /** Stops the embedded cluster, if one was started. */
  @Override
  public void close() throws Exception {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }
}
