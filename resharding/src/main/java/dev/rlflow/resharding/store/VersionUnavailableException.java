package dev.rlflow.resharding.store;

/**
 * A requested policy version that a {@link WeightStore} can never return: it has fallen out of
 * retention, or a later version was published without it. Not retriable: with a fixed staleness lag
 * {@code s} this means the store keeps fewer than {@code s + 1} versions, or the Trainer and
 * Rollout disagree about version numbers.
 */
public final class VersionUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long version;

  public VersionUnavailableException(long version, String message) {
    super(message);
    this.version = version;
  }

  /** The version that was asked for. */
  public long version() {
    return version;
  }
}
