package dev.rlflow.jobs.rlhf;

import ai.djl.Device;
import dev.rlflow.resharding.store.InMemoryWeightStore;
import dev.rlflow.resharding.store.WeightStore;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory weight stores of the runs in this JVM, by run id: how colocated Rollout and Trainer
 * subtasks find the same store (DESIGN.md §3 closes the loop out of band; Flink edges carry no
 * tensors). The trainer opens the store and closes it when it ends.
 */
final class WeightStores {
  private static final Map<String, InMemoryWeightStore> STORES = new ConcurrentHashMap<>();

  private WeightStores() {}

  /** The store of {@code runId}, created on first use, keeping {@code retained} versions. */
  static WeightStore of(String runId, int retained) {
    return STORES.computeIfAbsent(runId, id -> new InMemoryWeightStore(retained, Device.cpu()));
  }

  /** The newest version published in {@code runId}'s store; empty before any, or without one. */
  static OptionalLong latestVersion(String runId) {
    InMemoryWeightStore store = STORES.get(runId);
    return store == null ? OptionalLong.empty() : store.latestVersion();
  }

  /** Closes and forgets the store of {@code runId}; never throws. */
  static void close(String runId) {
    InMemoryWeightStore store = STORES.remove(runId);
    if (store != null) {
      try {
        store.close();
      } catch (RuntimeException ignored) {
        // a closing task must not fail
      }
    }
  }
}
