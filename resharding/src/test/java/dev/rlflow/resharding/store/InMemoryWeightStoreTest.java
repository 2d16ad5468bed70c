package dev.rlflow.resharding.store;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InMemoryWeightStoreTest extends WeightStoreContractTest {

  @Override
  WeightStore newStore(int retainedVersions) {
    return new InMemoryWeightStore(retainedVersions, Device.cpu());
  }

  @Test
  void retiredVersionsAreFreedOnlyOnceNoLeaseHoldsThem() throws Exception {
    try (InMemoryWeightStore store = new InMemoryWeightStore(2, Device.cpu())) {
      store.publish(0, live(0));
      store.publish(1, live(1));
      WeightLease held = store.await(0, LONG);
      List<NDArray> v0 = List.copyOf(held.weights().tensors().values());
      List<NDArray> v1;
      try (WeightLease lease = store.await(1, LONG)) {
        v1 = List.copyOf(lease.weights().tensors().values());
      }

      store.publish(2, live(2)); // retires version 0, which the lease still holds
      assertThat(v0).noneMatch(NDArray::isReleased);

      held.close();
      assertThat(v0).allMatch(NDArray::isReleased);

      assertThat(v1).noneMatch(NDArray::isReleased);
      store.publish(3, live(3)); // retires version 1, which nobody holds: freed at once
      assertThat(v1).allMatch(NDArray::isReleased);
      try (WeightLease lease = store.await(3, LONG)) {
        assertHolds(lease, 3);
      }
    }
  }

  @Test
  void closingFreesUnleasedVersionsAndLeasedOnesWhenTheirLeaseCloses() throws Exception {
    InMemoryWeightStore store = new InMemoryWeightStore(3, Device.cpu());
    store.publish(0, live(0));
    store.publish(1, live(1));
    WeightLease held = store.await(1, LONG);
    List<NDArray> v0;
    try (WeightLease lease = store.await(0, LONG)) {
      v0 = List.copyOf(lease.weights().tensors().values());
    }
    List<NDArray> v1 = List.copyOf(held.weights().tensors().values());

    store.close();
    assertThat(v0).allMatch(NDArray::isReleased);
    assertThat(v1).noneMatch(NDArray::isReleased);
    held.close();
    assertThat(v1).allMatch(NDArray::isReleased);
  }

  @Test
  void readersFollowingTheLatestVersionNeverSeeFreedOrTornWeights() throws Exception {
    int versions = 200;
    try (InMemoryWeightStore store = new InMemoryWeightStore(2, Device.cpu())) {
      store.publish(0, live(0));
      AtomicBoolean done = new AtomicBoolean();
      List<Future<Integer>> reads = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        reads.add(
            readers.submit(
                () -> {
                  int leased = 0;
                  while (!done.get()) {
                    long v = store.latestVersion().orElseThrow();
                    try (WeightLease lease = store.await(v, LONG)) {
                      assertHolds(lease, v);
                      leased++;
                    } catch (VersionUnavailableException retiredMeanwhile) {
                      // The publisher moved on between latestVersion() and await(): try again.
                    }
                  }
                  return leased;
                }));
      }
      publishUpdatingInPlace(store, 1, versions);
      done.set(true);
      for (Future<Integer> f : reads) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
      }
      assertThat(store.toString()).contains("retained=[198, 199]", "leased or retained=2");
    }
  }
}
