package dev.rlflow.resharding.store;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;

/**
 * The deadline of one {@link WeightStore#await} call: how long is left, and the timeout failure
 * every store raises in the same words when it passes.
 */
final class AwaitDeadline {
  private final long version;
  private final Duration timeout;
  private final long deadline;

  /**
   * The deadline {@code timeout} from now for awaiting {@code version}.
   *
   * @throws IllegalArgumentException if the version or the timeout is negative
   */
  AwaitDeadline(long version, Duration timeout) {
    if (version < 0) {
      throw new IllegalArgumentException("Invalid policy version " + version + ": must be >= 0");
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("Invalid timeout " + timeout + ": must be >= 0");
    }
    this.version = version;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + saturatedNanos(timeout);
  }

  /** Nanoseconds left; zero or less once the deadline has passed. */
  long remainingNanos() {
    return deadline - System.nanoTime();
  }

  /** The failure once the deadline has passed, naming the latest published version. */
  TimeoutException expired(OptionalLong latest) {
    return new TimeoutException(
        "Policy version "
            + version
            + " was not published within "
            + timeout.toMillis()
            + " ms; "
            + (latest.isEmpty()
                ? "no version is published yet"
                : "latest published version is " + latest.getAsLong()));
  }

  private static long saturatedNanos(Duration timeout) {
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2; // centuries; keeps deadline arithmetic from overflowing
    }
  }
}
