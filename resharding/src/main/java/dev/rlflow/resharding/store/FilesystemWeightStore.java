package dev.rlflow.resharding.store;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.resharding.checkpoint.CheckpointInfo;
import dev.rlflow.resharding.checkpoint.CheckpointReader;
import dev.rlflow.resharding.checkpoint.CheckpointWriter;
import dev.rlflow.resharding.checkpoint.CorruptVersionException;
import dev.rlflow.resharding.checkpoint.NDArrayTensors;
import dev.rlflow.resharding.checkpoint.TensorBytes;
import dev.rlflow.resharding.checkpoint.UncommittedVersionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A {@link WeightStore} on any Hadoop FileSystem (file://, hdfs://), for disaggregated placement:
 * the Trainer publishes version {@code v} as a universal checkpoint (ALGORITHMS.md §7) in {@code
 * <root>/v<v>}, its tensors in flattened buckets (one fragment file per 512 MiB, not one per
 * tensor), visible once its commit marker is written; Rollout subtasks in any JVM {@link #await}
 * the marker, polling with exponential backoff, and load the version whole into the lease's own
 * manager, so that retention deleting the directory later cannot touch weights in use.
 *
 * <p>One publisher per root. Its first publish removes the versions at or above it that an earlier
 * publisher of the root left (a restarted Trainer publishes the same numbers again), newest first,
 * so that a reader never sees a version missing below one that is present. After each publish it
 * retires the versions older than the newest {@code retainedVersions} committed ones: each is
 * renamed out of the versions' names at once and deleted in the background. Retention on the
 * filesystem is what every reader of every JVM sees, so K counts the versions any of them may still
 * need ({@code s + 2} under staleness lag s: the lag's, the one being trained and one spare). When
 * the trainer ends the run early, {@code _FINISHED} under the root holds the last version.
 *
 * <p>Any instance on the same root reads: {@link #latestVersion()} is the newest committed version
 * on the filesystem. A version whose marker exists but whose files are damaged is a {@link
 * CorruptVersionException}; I/O failures are {@link UncheckedIOException}s naming the version.
 *
 * <p>Long because publishing, awaiting, retention and the end of the run all read and write one
 * root's layout under one lock, which a split would have to share.
 */
public final class FilesystemWeightStore implements WeightStore {
  /** The first pause between two looks for a marker; it doubles up to {@link #MAX_POLL}. */
  static final Duration FIRST_POLL = Duration.ofMillis(10);

  /** The longest pause between two looks for a marker. */
  static final Duration MAX_POLL = Duration.ofSeconds(1);

  private final FileSystem fs;
  private final Path root;
  private final StoreRoot files;
  private final int retainedVersions;
  private final Provenance provenance;
  private final Device device;
  private final CountDownLatch closing = new CountDownLatch(1);

  private final Object publishing = new Object();
  // Guarded by publishing: what this instance published.
  private long published = -1;
  private WeightLayout layout;
  private long finished = -1; // the version this instance finished after, if it did

  /**
   * A store of the versions under {@code root} on {@code fs}, keeping the newest {@code
   * retainedVersions}; its versions record {@code provenance}, its leases hold arrays on {@code
   * device}.
   */
  public FilesystemWeightStore(
      FileSystem fs, Path root, int retainedVersions, Provenance provenance, Device device) {
    if (retainedVersions < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + retainedVersions + " for retainedVersions: must be >= 1");
    }
    this.fs = Objects.requireNonNull(fs, "fs");
    this.root = Objects.requireNonNull(root, "root");
    this.files = new StoreRoot(fs, root);
    this.retainedVersions = retainedVersions;
    this.provenance = Objects.requireNonNull(provenance, "provenance");
    this.device = Objects.requireNonNull(device, "device");
  }

  /** A store under the directory {@code uri} of its Hadoop FileSystem, leases on the CPU. */
  public static FilesystemWeightStore open(
      String uri, int retainedVersions, Provenance provenance) {
    Path root = new Path(uri);
    try {
      FileSystem fs = root.getFileSystem(new Configuration());
      return new FilesystemWeightStore(
          fs, fs.makeQualified(root), retainedVersions, provenance, Device.cpu());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the weight store at " + uri, e);
    }
  }

  /** The directory of {@code version}. */
  public Path directory(long version) {
    return files.directory(version);
  }

  @Override
  public void publish(long version, Map<String, NDArray> weights) {
    WeightLayout incoming = PublishRules.layoutOf(version, weights);
    synchronized (publishing) {
      PublishRules.check(version, incoming, closing.getCount() == 0, published, layout);
      PublishRules.checkNotFinished(version, finished);
      // The snapshot: the caller's arrays are read here, during the call, and never again.
      Map<String, TensorBytes> tensors = NDArrayTensors.toBytes(weights);
      try {
        if (published < 0) {
          removeFrom(version);
        }
        new CheckpointWriter(fs, directory(version), CheckpointWriter.DEFAULT_MAX_FILE_BYTES)
            .writeWhole(new CheckpointInfo(provenance, version, Optional.empty()), tensors);
        published = version;
        layout = incoming;
        retire();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot publish policy version " + version + " to " + directory(version), e);
      }
    }
  }

  /**
   * Deletes the version directories at or above {@code first}, newest first, what an earlier
   * publisher retired but did not delete, and an earlier run's end marker.
   */
  private void removeFrom(long first) throws IOException {
    files.clearFinished();
    for (long v : files.versionDirectories().tailSet(first, true).descendingSet()) {
      files.retire(v);
    }
    files.deleteLeftovers();
  }

  /** Retires every version older than the newest {@code retainedVersions} committed ones. */
  private void retire() throws IOException {
    TreeSet<Long> committed = files.committedVersions();
    if (committed.size() <= retainedVersions) {
      return;
    }
    long oldestKept =
        committed.descendingSet().stream().skip(retainedVersions - 1L).findFirst().orElseThrow();
    for (long v : files.versionDirectories().headSet(oldestKept)) {
      files.retire(v);
    }
  }

  @Override
  public WeightLease await(long version, Duration timeout)
      throws InterruptedException, TimeoutException {
    AwaitDeadline deadline = new AwaitDeadline(version, timeout);
    long pause = FIRST_POLL.toNanos();
    while (true) {
      if (closing.getCount() == 0) {
        throw new IllegalStateException(
            "Cannot await policy version " + version + ": the weight store is closed");
      }
      WeightLease lease = load(version);
      if (lease != null) {
        return lease;
      }
      TreeSet<Long> committed = io(version, files::committedVersions);
      if (!committed.contains(version) && !committed.isEmpty() && committed.last() > version) {
        throw VersionUnavailableException.missing(version, committed, retainedVersions);
      }
      OptionalLong last = finishedAt();
      if (last.isPresent() && version > last.getAsLong()) {
        throw VersionUnavailableException.finished(version, last.getAsLong());
      }
      long remaining = deadline.remainingNanos();
      if (remaining <= 0) {
        throw deadline.expired(
            committed.isEmpty() ? OptionalLong.empty() : OptionalLong.of(committed.last()));
      }
      closing.await(Math.min(pause, remaining), TimeUnit.NANOSECONDS);
      pause = Math.min(2 * pause, MAX_POLL.toNanos());
    }
  }

  /** {@code version} loaded into a lease of its own, or null while it is not committed. */
  private WeightLease load(long version) {
    Path dir = directory(version);
    NDManager manager = NDManager.newBaseManager(device);
    try {
      Map<String, NDArray> arrays = NDArrayTensors.read(CheckpointReader.open(fs, dir), manager);
      return new WeightLease(PolicyWeights.owning(version, device, arrays), manager::close);
    } catch (UncommittedVersionException notYet) {
      manager.close();
      return null;
    } catch (CorruptVersionException | IOException e) {
      manager.close();
      if (!io(version, () -> fs.exists(new Path(dir, CheckpointWriter.MARKER_FILE)))) {
        return null; // retention deleted it while it was read: await decides what that means
      }
      if (e instanceof CorruptVersionException corrupt) {
        throw corrupt;
      }
      throw new UncheckedIOException(
          "Cannot load policy version " + version + " from " + dir, (IOException) e);
    } catch (RuntimeException | Error e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public OptionalLong latestVersion() {
    return io(
        -1,
        () -> {
          for (long v : files.versionDirectories().descendingSet()) {
            if (files.committed(v)) {
              return OptionalLong.of(v);
            }
          }
          return OptionalLong.empty();
        });
  }

  /**
   * Writes {@code _FINISHED}, holding {@code lastVersion}, under the root: every reader of every
   * JVM sees it. Written under a temporary name and renamed, so it is never seen half-written.
   */
  @Override
  public void finish(long lastVersion) {
    synchronized (publishing) {
      if (closing.getCount() == 0) {
        throw new IllegalStateException("Cannot finish: the weight store is closed");
      }
      PublishRules.checkFinish(lastVersion, published);
      try {
        files.writeFinished(lastVersion);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot record the end of the run after version " + lastVersion + " at " + root, e);
      }
      finished = lastVersion;
    }
  }

  @Override
  public OptionalLong finishedAt() {
    return io(-1, files::readFinished);
  }

  private interface Io<T> {
    T call() throws IOException;
  }

  private <T> T io(long version, Io<T> call) {
    try {
      return call.call();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot look for "
              + (version < 0 ? "policy versions" : "policy version " + version)
              + " in the weight store at "
              + root,
          e);
    }
  }

  /**
   * Wakes waiting readers, which then fail, and lets retired versions finish deleting (a while);
   * published versions stay on the filesystem.
   */
  @Override
  public void close() {
    closing.countDown();
    files.close();
  }

  @Override
  public String toString() {
    return "FilesystemWeightStore[" + root + ", keep=" + retainedVersions + "]";
  }
}
