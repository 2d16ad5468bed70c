package dev.rlflow.resharding.store;

import ai.djl.ndarray.NDArray;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;

/**
 * The out-of-band channel that closes the RLHF loop (DESIGN.md §3): the Trainer publishes policy
 * version {@code v + 1}, Rollout waits for exactly the version its batch needs ({@code max(0, b −
 * s)} under staleness lag {@code s}) and reads it. Data goes through Flink edges; tensors go
 * through a {@code WeightStore}.
 *
 * <p>Contract every implementation keeps:
 *
 * <ul>
 *   <li><b>Versions strictly increase</b> (gaps are allowed). Publishing a version at or below the
 *       latest one is an {@link IllegalArgumentException}.
 *   <li><b>Snapshots, never live arrays.</b> {@link #publish} reads the caller's arrays during the
 *       call only; when it returns, the caller may update them in place without affecting what
 *       readers see (DESIGN.md §1: two threads touching the same arrays give torn reads).
 *   <li><b>All or nothing.</b> A reader sees a version complete or not at all. In memory that is a
 *       map insertion under a lock; a filesystem store (the universal checkpoint of ALGORITHMS.md
 *       §7: safetensors shards, a JSON index with checksums, then a commit marker) makes a version
 *       visible only once its commit marker exists.
 *   <li><b>Retention</b>: the store keeps the newest {@code K ≥ 1} versions and releases older
 *       ones. With staleness lag {@code s}, unfinished batches still need versions down to {@code
 *       latest − s}, so {@code K ≥ s + 1}. A version leaves the store's index when it falls out of
 *       the newest {@code K}, but its memory is freed only when the last {@link WeightLease} on it
 *       is closed: a reader never has weights freed under it.
 * </ul>
 *
 * <p>Implementations: {@link InMemoryWeightStore} for colocated placement (Trainer and Rollout in
 * one JVM); {@link FilesystemWeightStore} on the Hadoop FileSystem API (file://, hdfs://) for
 * disaggregated placement, whose {@link #await} polls for commit markers and loads the version into
 * a lease-owned manager. Planned: resharding stores that publish a training layout (p-t-d) and hand
 * each reader its generation-layout shard (ALGORITHMS.md §6). They return the same {@link
 * WeightLease} and {@link PolicyWeights}, so readers do not change.
 *
 * <p>Thread safety: one publisher and any number of reader threads may use a store concurrently.
 */
public interface WeightStore extends AutoCloseable {

  /**
   * Publishes {@code weights} (Hugging Face parameter name → array, e.g. {@code
   * TransformerModel.weights()}) as {@code version}, copying them into store-owned memory; wakes
   * readers waiting for it and releases versions that fall out of retention.
   *
   * <p>Call it from the thread that owns the live arrays, between updates.
   *
   * @throws IllegalArgumentException if {@code version} is negative, not above the latest published
   *     version, if {@code weights} is empty, or if its layout differs from the versions before it
   * @throws IllegalStateException if the store is closed
   */
  void publish(long version, Map<String, NDArray> weights);

  /**
   * Waits until {@code version} is published and leases it: the weights of exactly that version,
   * kept alive until the lease is closed. Returns at once when the version is already there.
   *
   * @throws TimeoutException if the version is not published within {@code timeout}; the message
   *     names the version, the timeout and the latest published version (retriable: the Trainer may
   *     simply be slow)
   * @throws VersionUnavailableException if the version can never be returned: it fell out of
   *     retention, a later version was published without it, or the trainer finished before it (not
   *     retriable)
   * @throws InterruptedException if the waiting thread is interrupted
   * @throws IllegalStateException if the store is closed, also while waiting
   */
  WeightLease await(long version, Duration timeout) throws InterruptedException, TimeoutException;

  /** The newest published version, or empty before the first publish. */
  OptionalLong latestVersion();

  /**
   * Records that the trainer ended the run after {@code lastVersion} (its time budget ran out): no
   * later version will be published. Readers waiting for one fail with {@link
   * VersionUnavailableException}, and {@link #finishedAt} tells every reader, the prompt source
   * included, to stop.
   *
   * @throws IllegalArgumentException if {@code lastVersion} is not the latest published version
   * @throws IllegalStateException if the store is closed
   */
  void finish(long lastVersion);

  /** The version after which the trainer ended the run, once it has ({@link #finish}). */
  OptionalLong finishedAt();

  /**
   * Closes the store: waiting readers fail, no more versions are published, and every version's
   * memory is freed once no lease holds it. Idempotent.
   */
  @Override
  void close();
}
