package dev.rlflow.jobs.rlhf;

import ai.djl.Device;
import dev.rlflow.core.config.PlacementConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.resharding.store.FilesystemWeightStore;
import dev.rlflow.resharding.store.InMemoryWeightStore;
import dev.rlflow.resharding.store.WeightStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.core.fs.Path;

/**
 * The weight store of each run in this JVM, by run directory: how Rollout and Trainer subtasks, and
 * the prompt source that paces them, find the same store (DESIGN.md §3 closes the loop out of band;
 * Flink edges carry no tensors). {@code placement.mode} chooses it: colocated runs share an {@link
 * InMemoryWeightStore}, which only subtasks of this JVM see; disaggregated runs a {@link
 * FilesystemWeightStore} under the run directory's {@value #WEIGHTS} (any Hadoop FileSystem), which
 * subtasks of every JVM see. The trainer closes the store when it ends.
 */
final class WeightStores {
  /** The weights' directory in the run directory, for disaggregated placement. */
  static final String WEIGHTS = "weights";

  private static final Map<String, WeightStore> STORES = new ConcurrentHashMap<>();

  private WeightStores() {}

  /** The store of {@code run}, created on first use in this JVM. */
  static WeightStore of(RunContext run, RunConfig config) {
    return STORES.computeIfAbsent(run.runDirectory(), dir -> create(run, config));
  }

  private static WeightStore create(RunContext run, RunConfig config) {
    int retained = retained(config);
    if (config.placement().mode() == PlacementConfig.Mode.DISAGGREGATED) {
      return FilesystemWeightStore.open(
          weightsUri(run), retained, Provenance.of(config, run.runId()));
    }
    return new InMemoryWeightStore(retained, Device.cpu());
  }

  /**
   * The run's {@value #WEIGHTS} directory as a full URI: a run directory without a scheme is on
   * Flink's default filesystem (local), which Hadoop, given a bare path, might place on its own
   * default (HDFS, with a cluster's core-site.xml).
   */
  static String weightsUri(RunContext run) {
    Path weights = new Path(run.runDirectory(), WEIGHTS);
    try {
      return weights.makeQualified(weights.getFileSystem()).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot resolve the weight store's directory " + weights, e);
    }
  }

  /**
   * Versions a store keeps: the lag's, the one being trained and one spare. On the filesystem this
   * is what rollout subtasks of every JVM see, so it counts the versions any of them may need.
   */
  static int retained(RunConfig config) {
    return config.rollout().maxStaleness() + 2;
  }

  /** Closes and forgets the store of {@code run}; never throws. */
  static void close(RunContext run) {
    WeightStore store = STORES.remove(run.runDirectory());
    if (store != null) {
      try {
        store.close();
      } catch (RuntimeException ignored) {
        // a closing task must not fail
      }
    }
  }
}
