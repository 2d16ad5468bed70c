package dev.rlflow.resharding.store;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link WeightStore} in the JVM's (native) memory, for colocated placement: the Trainer and the
 * Rollout operators of one TaskManager share it. Each version is one copy of the published weights,
 * in its own sub-manager of the store's manager on the store's device; readers get those arrays
 * without a further copy ({@link PolicyWeights}).
 *
 * <p>Memory is reference-counted per version: one reference from the store while the version is
 * among the newest {@code retainedVersions}, one per open {@link WeightLease}. The version's arrays
 * are freed when the count reaches zero, so at most {@code retainedVersions} plus the versions
 * readers still hold are alive.
 */
public final class InMemoryWeightStore implements WeightStore {
  private final int retainedVersions;
  private final NDManager manager;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition published = lock.newCondition();
  // Everything below is guarded by lock.
  private final TreeMap<Long, Version> retained = new TreeMap<>();
  private long latest = -1;
  private WeightLayout layout;
  private int unfreed;
  private boolean closed;
  private long finishedAt = -1;

  /** One published version and its reference count. */
  private static final class Version {
    final PolicyWeights weights;
    final NDManager manager;
    int references = 1; // the store's own, while retained

    Version(PolicyWeights weights, NDManager manager) {
      this.weights = weights;
      this.manager = manager;
    }
  }

  /**
   * A store keeping the newest {@code retainedVersions} versions on {@code device}. Put it on the
   * device Rollout generates on: colocated with a GPU trainer that is the same GPU, and each hand-
   * over stays on the device.
   *
   * @param retainedVersions K, at least 1; with staleness lag s use at least s + 1
   */
  public InMemoryWeightStore(int retainedVersions, Device device) {
    if (retainedVersions < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + retainedVersions + " for retainedVersions: must be >= 1");
    }
    this.retainedVersions = retainedVersions;
    this.manager = NDManager.newBaseManager(Objects.requireNonNull(device, "device"));
  }

  /** K: how many of the newest versions the store keeps. */
  public int retainedVersions() {
    return retainedVersions;
  }

  /** The device the store keeps its copies on. */
  public Device device() {
    return manager.getDevice();
  }

  @Override
  public void publish(long version, Map<String, NDArray> weights) {
    WeightLayout incoming = PublishRules.layoutOf(version, weights);
    lock.lock();
    try {
      // Checked before the copy too, so a refused publish costs no memory.
      checkPublishable(version, incoming);
    } finally {
      lock.unlock();
    }
    // The copy runs outside the lock: readers of other versions are not held up by it.
    NDManager versionManager = manager.newSubManager();
    PolicyWeights snapshot;
    try {
      snapshot = PolicyWeights.copyOf(version, weights, versionManager);
    } catch (RuntimeException | Error e) {
      versionManager.close();
      throw e;
    }
    lock.lock();
    try {
      try {
        checkPublishable(version, incoming);
      } catch (RuntimeException e) {
        versionManager.close(); // another publisher or close() got there first
        throw e;
      }
      retained.put(version, new Version(snapshot, versionManager));
      latest = version;
      layout = incoming;
      unfreed++;
      while (retained.size() > retainedVersions) {
        release(retained.pollFirstEntry().getValue());
      }
      published.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void checkPublishable(long version, WeightLayout incoming) {
    PublishRules.check(version, incoming, closed, latest, layout);
    PublishRules.checkNotFinished(version, finishedAt);
  }

  @Override
  public WeightLease await(long version, Duration timeout)
      throws InterruptedException, TimeoutException {
    AwaitDeadline deadline = new AwaitDeadline(version, timeout);
    lock.lockInterruptibly();
    try {
      while (true) {
        if (closed) {
          throw new IllegalStateException(
              "Cannot await policy version " + version + ": the weight store is closed");
        }
        Version found = retained.get(version);
        if (found != null) {
          found.references++;
          return new WeightLease(found.weights, () -> releaseLease(found));
        }
        if (version <= latest) {
          throw VersionUnavailableException.missing(
              version, retained.navigableKeySet(), retainedVersions);
        }
        if (finishedAt >= 0) {
          throw VersionUnavailableException.finished(version, finishedAt);
        }
        long remaining = deadline.remainingNanos();
        if (remaining <= 0) {
          throw deadline.expired(latest < 0 ? OptionalLong.empty() : OptionalLong.of(latest));
        }
        published.awaitNanos(remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public OptionalLong latestVersion() {
    lock.lock();
    try {
      return latest < 0 ? OptionalLong.empty() : OptionalLong.of(latest);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void finish(long lastVersion) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("Cannot finish: the weight store is closed");
      }
      PublishRules.checkFinish(lastVersion, latest);
      finishedAt = lastVersion;
      published.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public OptionalLong finishedAt() {
    lock.lock();
    try {
      return finishedAt < 0 ? OptionalLong.empty() : OptionalLong.of(finishedAt);
    } finally {
      lock.unlock();
    }
  }

  private void releaseLease(Version version) {
    lock.lock();
    try {
      release(version);
    } finally {
      lock.unlock();
    }
  }

  /** Drops one reference; frees the version's arrays on the last one. Holds the lock. */
  private void release(Version version) {
    version.references--;
    if (version.references == 0) {
      version.manager.close();
      unfreed--;
      closeManagerWhenDone();
    }
  }

  /** After close(), the store's own manager goes with the last freed version. Holds the lock. */
  private void closeManagerWhenDone() {
    if (closed && unfreed == 0 && manager.isOpen()) {
      manager.close();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      while (!retained.isEmpty()) {
        release(retained.pollFirstEntry().getValue());
      }
      closeManagerWhenDone();
      published.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "InMemoryWeightStore[retained="
          + retained.keySet()
          + ", leased or retained="
          + unfreed
          + ", keep="
          + retainedVersions
          + ", device="
          + manager.getDevice()
          + (closed ? ", closed" : "")
          + "]";
    } finally {
      lock.unlock();
    }
  }
}
