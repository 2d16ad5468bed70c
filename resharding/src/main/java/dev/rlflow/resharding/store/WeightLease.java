package dev.rlflow.resharding.store;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reader's hold on one published version: while it is open, the version's arrays stay alive even
 * if the store has already retired the version. Close it (try-with-resources) once the weights are
 * applied or no longer read; closing twice releases once.
 *
 * <p>One lease per {@link WeightStore#await} call, so each reader thread closes its own.
 */
public final class WeightLease implements AutoCloseable {
  private final PolicyWeights weights;
  private final Runnable release;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A lease on {@code weights}; {@code release} runs exactly once, on the first {@link #close()}.
   * For {@link WeightStore} implementations.
   */
  public WeightLease(PolicyWeights weights, Runnable release) {
    this.weights = Objects.requireNonNull(weights, "weights");
    this.release = Objects.requireNonNull(release, "release");
  }

  /** The leased policy version. */
  public long version() {
    return weights.version();
  }

  /**
   * The leased weights.
   *
   * @throws IllegalStateException after {@link #close()}: the arrays may be freed by then
   */
  public PolicyWeights weights() {
    if (closed.get()) {
      throw new IllegalStateException(
          "The lease on policy version " + weights.version() + " is closed");
    }
    return weights;
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release.run();
    }
  }
}
