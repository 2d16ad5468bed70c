package dev.rlflow.resharding.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.transformer.TransformerModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link WeightStore} contract, run against each implementation: a subclass says how to make a
 * store keeping a given number of versions.
 */
abstract class WeightStoreContractTest {
  static final Duration LONG = Duration.ofSeconds(30);

  NDManager trainer;
  ExecutorService readers;

  /** A new store keeping the newest {@code retainedVersions} versions. */
  abstract WeightStore newStore(int retainedVersions);

  @BeforeEach
  void setUp() {
    trainer = NDManager.newBaseManager(Device.cpu());
    readers = Executors.newFixedThreadPool(4);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    readers.shutdownNow();
    assertThat(readers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    trainer.close();
  }

  /** Live "trainer" weights: every element equals {@code value}. */
  Map<String, NDArray> live(float value) {
    Map<String, NDArray> weights = new LinkedHashMap<>();
    weights.put("model.embed_tokens.weight", trainer.full(new Shape(5, 4), value));
    weights.put("model.norm.weight", trainer.full(new Shape(4), value));
    return weights;
  }

  static void assertHolds(WeightLease lease, float value) {
    for (NDArray a : lease.weights().tensors().values()) {
      float[] values = a.toFloatArray();
      for (float v : values) {
        assertThat(v).as("%s of version %d", a.getName(), lease.version()).isEqualTo(value);
      }
    }
  }

  @Test
  void afterTheTrainerFinishesReadersWaitingForLaterVersionsAreToldAndNothingIsPublished()
      throws Exception {
    try (WeightStore store = newStore(2)) {
      store.publish(0, live(0));
      store.publish(1, live(1));
      Future<WeightLease> waiting = readers.submit(() -> store.await(2, LONG));
      assertThat(store.finishedAt()).isEmpty();

      store.finish(1);

      assertThat(store.finishedAt()).hasValue(1);
      assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(VersionUnavailableException.class)
          .hasMessageContaining(
              "Policy version 2 will never be published: the trainer ended the run after version"
                  + " 1");
      try (WeightLease last = store.await(1, Duration.ZERO)) {
        assertHolds(last, 1);
      }
      assertThatThrownBy(() -> store.publish(2, live(2)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Cannot publish policy version 2: the trainer ended the run after version 1");
    }
  }

  @Test
  void onlyTheLatestVersionCanEndTheRun() {
    try (WeightStore store = newStore(2)) {
      store.publish(0, live(0));
      store.publish(1, live(1));
      assertThatThrownBy(() -> store.finish(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot finish after policy version 0: the latest published version is 1");
      assertThat(store.finishedAt()).isEmpty();
    }
  }

  @Test
  void readersOnSeveralThreadsGetExactlyTheVersionTheyAwait() throws Exception {
    int versions = 20;
    try (WeightStore store = newStore(versions)) {
      List<Future<List<Long>>> seen = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        seen.add(
            readers.submit(
                () -> {
                  List<Long> got = new ArrayList<>();
                  for (long v = 0; v < versions; v++) {
                    try (WeightLease lease = store.await(v, LONG)) {
                      assertHolds(lease, v);
                      got.add(lease.version());
                    }
                  }
                  return got;
                }));
      }
      publishUpdatingInPlace(store, 0, versions);
      for (Future<List<Long>> f : seen) {
        assertThat(f.get(30, TimeUnit.SECONDS))
            .containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, versions).boxed().toList());
      }
      assertThat(store.latestVersion()).hasValue(versions - 1);
    }
  }

  @Test
  void awaitBlocksUntilItsVersionIsPublished() throws Exception {
    try (WeightStore store = newStore(4)) {
      assertThat(store.latestVersion()).isEmpty();
      AtomicReference<Thread> waiter = new AtomicReference<>();
      Future<Long> reader =
          readers.submit(
              () -> {
                waiter.set(Thread.currentThread());
                try (WeightLease lease = store.await(3, LONG)) {
                  assertHolds(lease, 3);
                  return lease.version();
                }
              });
      for (int v = 0; v < 3; v++) {
        store.publish(v, live(v));
      }
      awaitBlocked(waiter);
      assertThat(reader).isNotDone();
      store.publish(3, live(3));
      assertThat(reader.get(30, TimeUnit.SECONDS)).isEqualTo(3L);
    }
  }

  @Test
  void timeoutNamesTheVersionTheTimeoutAndTheLatestVersion() {
    try (WeightStore store = newStore(2)) {
      assertThatThrownBy(() -> store.await(0, Duration.ofMillis(20)))
          .isInstanceOf(TimeoutException.class)
          .hasMessage(
              "Policy version 0 was not published within 20 ms; no version is published yet");
      store.publish(0, live(0));
      store.publish(2, live(2));
      assertThatThrownBy(() -> store.await(5, Duration.ofMillis(50)))
          .isInstanceOf(TimeoutException.class)
          .hasMessage(
              "Policy version 5 was not published within 50 ms; latest published version is 2");
    }
  }

  @Test
  void publishingAVersionNotAboveTheLatestIsRefused() {
    try (WeightStore store = newStore(2)) {
      store.publish(4, live(4));
      assertThatThrownBy(() -> store.publish(4, live(9)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot publish policy version 4: versions must increase and version 4 is already"
                  + " published");
      assertThatThrownBy(() -> store.publish(3, live(9)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("policy version 3")
          .hasMessageContaining("version 4 is already published");
      assertThatThrownBy(() -> store.publish(-1, live(9)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid policy version -1: must be >= 0");
      assertThat(store.latestVersion()).hasValue(4);
    }
  }

  @Test
  void aSkippedVersionIsNeverAvailable() {
    try (WeightStore store = newStore(3)) {
      store.publish(0, live(0));
      store.publish(2, live(2));
      assertThatThrownBy(() -> store.await(1, LONG))
          .isInstanceOf(VersionUnavailableException.class)
          .hasMessage(
              "Policy version 1 was never published: version 2 was published after version 0")
          .satisfies(e -> assertThat(((VersionUnavailableException) e).version()).isEqualTo(1));
    }
  }

  @Test
  void aPublishedVersionIsUnaffectedByLaterInPlaceChangesOfTheTrainersWeights() throws Exception {
    ModelConfig config =
        new ModelConfig(
            PolicyConfig.Architecture.QWEN2, 11, 16, 2, 4, 2, 24, 32, 10_000, 1e-6, false);
    try (TransformerModel policy =
            TransformerModel.create(
                config, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 1);
        TransformerModel update =
            TransformerModel.create(
                config, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 2);
        WeightStore store = newStore(2)) {
      String name = "model.layers.1.self_attn.q_proj.weight";
      float[] before = policy.weights().get(name).toFloatArray();
      store.publish(0, policy.weights());

      policy.copyWeightsFrom(update.weights()); // the trainer's next update, in place
      assertThat(policy.weights().get(name).toFloatArray()).isNotEqualTo(before);

      try (WeightLease lease = store.await(0, LONG)) {
        PolicyWeights snapshot = lease.weights();
        assertThat(snapshot.tensors().get(name).toFloatArray()).containsExactly(before);
        assertThat(snapshot.tensors().keySet())
            .containsExactlyInAnyOrderElementsOf(policy.weights().keySet());
        assertThat(snapshot.layout()).isEqualTo(WeightLayout.of(policy));
        // Plain copies: no autograd history or gradient buffers of the trainer's parameters.
        assertThat(policy.weights().values()).allMatch(NDArray::hasGradient);
        assertThat(snapshot.tensors().values()).noneMatch(NDArray::hasGradient);
        for (NDArray copy : snapshot.tensors().values()) {
          assertThat(policy.weights().values()).allMatch(live -> live != copy);
        }
      }
    }
  }

  @Test
  void aVersionPublishedInsideTheTrainersStepScopeOutlivesTheScope() throws Exception {
    try (WeightStore store = newStore(2)) {
      try (NDScope step = new NDScope()) {
        store.publish(0, live(7));
      }
      try (WeightLease lease = store.await(0, LONG)) {
        assertThat(lease.weights().tensors().values()).noneMatch(NDArray::isReleased);
        assertHolds(lease, 7);
      }
    }
  }

  @Test
  void aVersionWithAnotherLayoutIsRefused() {
    try (WeightStore store = newStore(2)) {
      store.publish(0, live(0));
      Map<String, NDArray> wider = new LinkedHashMap<>(live(1));
      wider.put("model.norm.weight", trainer.zeros(new Shape(8)));
      assertThatThrownBy(() -> store.publish(1, wider))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Cannot publish policy version 1: its layout differs from version 0 at parameter"
                  + " model.norm.weight ((8) float32, was (4) float32)");
      assertThat(store.latestVersion()).hasValue(0);
    }
  }

  @Test
  void retentionMustKeepAtLeastOneVersion() {
    assertThatThrownBy(() -> newStore(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0 for retainedVersions: must be >= 1");
  }

  @Test
  void aRetiredVersionIsUnavailableWhileALeaseOnItStaysReadable() throws Exception {
    try (WeightStore store = newStore(2)) {
      store.publish(0, live(0));
      store.publish(1, live(1));
      WeightLease held = store.await(0, LONG);
      store.publish(2, live(2)); // retires version 0, which the lease still holds
      assertHolds(held, 0);
      assertThatThrownBy(() -> store.await(0, LONG))
          .isInstanceOf(VersionUnavailableException.class)
          .hasMessage(
              "Policy version 0 is no longer retained: the store keeps the newest 2 versions (1 to"
                  + " 2); keep more than the staleness lag");
      held.close();
      held.close(); // idempotent: releases once
      assertThatThrownBy(held::weights)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("The lease on policy version 0 is closed");
    }
  }

  @Test
  void closingFailsWaitingReadersAndPublishesButLeavesLeasesReadable() throws Exception {
    WeightStore store = newStore(3);
    store.publish(0, live(0));
    WeightLease held = store.await(0, LONG);
    AtomicReference<Thread> waiter = new AtomicReference<>();
    Future<?> waiting =
        readers.submit(
            () -> {
              waiter.set(Thread.currentThread());
              return store.await(7, LONG);
            });
    awaitBlocked(waiter);

    store.close();
    store.close();
    assertHolds(held, 0);
    assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Cannot await policy version 7: the weight store is closed");
    assertThatThrownBy(() -> store.publish(2, live(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Cannot publish policy version 2: the weight store is closed");
    held.close();
  }

  /**
   * Publishes versions {@code from} to {@code to - 1} as the trainer does: each version's weights
   * are the same live arrays, updated in place to hold the version number.
   */
  void publishUpdatingInPlace(WeightStore store, int from, int to) {
    Map<String, NDArray> weights = live(0);
    for (int v = from; v < to; v++) {
      for (NDArray a : weights.values()) {
        a.set(new NDIndex("..."), v);
      }
      store.publish(v, weights);
    }
  }

  /** Waits, up to 30 s, until the thread in {@code waiter} is parked waiting for a version. */
  static void awaitBlocked(AtomicReference<Thread> waiter) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Thread t = waiter.get();
      if (t != null
          && (t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("The reader never blocked in await within 30 s");
      }
      Thread.onSpinWait();
    }
  }
}
