package dev.rlflow.resharding.store;

import java.util.NavigableSet;

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

  /**
   * Why {@code version} is not among the {@code retained} versions though a later one is: it is
   * older than all of them (retention, keeping {@code keep}), or it was skipped.
   */
  static VersionUnavailableException missing(long version, NavigableSet<Long> retained, int keep) {
    long oldest = retained.first();
    if (version < oldest) {
      return new VersionUnavailableException(
          version,
          "Policy version "
              + version
              + " is no longer retained: the store keeps the newest "
              + keep
              + " versions ("
              + oldest
              + " to "
              + retained.last()
              + "); keep more than the staleness lag");
    }
    return new VersionUnavailableException(
        version,
        "Policy version "
            + version
            + " was never published: version "
            + retained.higher(version)
            + " was published after version "
            + retained.lower(version));
  }

  /** Why {@code version} will never come: the trainer ended the run after {@code last}. */
  static VersionUnavailableException finished(long version, long last) {
    return new VersionUnavailableException(
        version,
        "Policy version "
            + version
            + " will never be published: the trainer ended the run after version "
            + last
            + " (rollout.time_budget)");
  }

  /** The version that was asked for. */
  public long version() {
    return version;
  }
}
