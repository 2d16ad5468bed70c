package dev.rlflow.reward.omega;

import java.util.OptionalInt;

/**
 * OmegaPRM's binary search for the first wrong step of a wrong solution of m steps (Luo et al.
 * 2024, arXiv 2406.06592): O(log m) Monte Carlo probes instead of the m − 1 of per-step Monte
 * Carlo.
 *
 * <p>Invariant: steps 1..lo can still reach the right answer and the first error is at most step
 * hi+1. Start lo = 0, hi = m − 1: the full solution is known to be wrong, so it is never probed
 * (ALGORITHMS.md §1, decided). Each probe is the prefix of mid+1 steps, mid = ⌊(lo + hi) / 2⌋; a
 * prefix with MC > 0 moves lo past it, one with MC = 0 moves hi to mid. Once lo = hi the first
 * error is step lo+1. Every probe halves the interval, so m = 8 takes 3 probes and m = 1 none.
 */
final class FirstErrorSearch {
  private final int steps;
  private int lo;
  private int hi;

  /**
   * @param steps m, the steps of the wrong solution, at least 1
   */
  FirstErrorSearch(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("Invalid value " + steps + " for steps: must be >= 1");
    }
    this.steps = steps;
    this.hi = steps - 1;
  }

  /** The number of steps of the prefix to probe next; empty once the first error is located. */
  OptionalInt nextProbe() {
    return lo < hi ? OptionalInt.of(mid() + 1) : OptionalInt.empty();
  }

  /**
   * Narrows the interval with the outcome of the probe {@link #nextProbe()} named.
   *
   * @param reachable true when some rollout from the probed prefix was correct (MC > 0)
   */
  void record(boolean reachable) {
    if (lo >= hi) {
      throw new IllegalStateException("No probe is pending: the first error is located");
    }
    int mid = mid();
    if (reachable) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }

  /** The 0-based index of the first wrong step. */
  int firstError() {
    if (lo < hi) {
      throw new IllegalStateException("The first error is not located yet: probe " + nextProbe());
    }
    return lo;
  }

  /**
   * True when the prefix ending with the first error was probed (and had MC = 0). Only the last
   * step can be located without its own probe: hi leaves m − 1 only through a probe at hi + 1.
   */
  boolean firstErrorProbed() {
    return firstError() < steps - 1;
  }

  private int mid() {
    return (lo + hi) / 2;
  }
}
