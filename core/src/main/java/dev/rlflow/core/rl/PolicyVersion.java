package dev.rlflow.core.rl;

/**
 * A version of the policy: 0 is the starting checkpoint, b + 1 the policy after training on batch
 * b. Which version answers a batch is fixed by the staleness lag (DESIGN.md §3), so a run is
 * deterministic however generation and training overlap.
 *
 * @param number the version, >= 0
 */
public record PolicyVersion(long number) {
  public PolicyVersion {
    if (number < 0) {
      throw new IllegalArgumentException("Invalid value " + number + " for number: must be >= 0");
    }
  }

  /**
   * The version that generates batch {@code batch} with a lag of {@code maxStaleness} ({@code
   * rollout.max_staleness}): exactly {@code max(0, batch - maxStaleness)}.
   */
  public static PolicyVersion answering(long batch, int maxStaleness) {
    if (batch < 0 || maxStaleness < 0) {
      throw new IllegalArgumentException(
          "Invalid batch " + batch + " or max_staleness " + maxStaleness + ": both must be >= 0");
    }
    return new PolicyVersion(Math.max(0, batch - maxStaleness));
  }
}
