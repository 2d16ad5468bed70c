package dev.rlflow.training;

/**
 * Decides whether an update may be applied: one whose loss or gradient norm is NaN or infinite is
 * skipped (the caller applies nothing and zeroes the gradients), and too many skips in a row end
 * training with a {@link TrainingDivergedException}.
 *
 * <p>A rare overflow (one bad batch, an FP16 spike) then costs one update instead of the run, while
 * a model whose weights have become NaN stops quickly with the values that show it. Not
 * thread-safe.
 */
public final class NonFiniteGuard {

  private final int maxConsecutiveSkips;
  private int consecutiveSkips;
  private long skippedSteps;

  /**
   * A guard that throws at the {@code maxConsecutiveSkips}-th non-finite update in a row.
   *
   * @throws IllegalArgumentException if {@code maxConsecutiveSkips < 1}
   */
  public NonFiniteGuard(int maxConsecutiveSkips) {
    if (maxConsecutiveSkips < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + maxConsecutiveSkips + " for maxConsecutiveSkips: must be >= 1");
    }
    this.maxConsecutiveSkips = maxConsecutiveSkips;
  }

  /**
   * Returns true if update {@code step} with this loss and gradient norm may be applied, false if
   * it must be skipped; a finite update resets the run of skips.
   *
   * @throws TrainingDivergedException if this skip is the {@code maxConsecutiveSkips}-th in a row
   */
  public boolean admit(long step, double loss, double gradNorm) {
    if (Double.isFinite(loss) && Double.isFinite(gradNorm)) {
      consecutiveSkips = 0;
      return true;
    }
    consecutiveSkips++;
    skippedSteps++;
    if (consecutiveSkips >= maxConsecutiveSkips) {
      throw new TrainingDivergedException(step, loss, gradNorm, consecutiveSkips);
    }
    return false;
  }

  /** Skipped updates so far, in all runs of skips. */
  public long skippedSteps() {
    return skippedSteps;
  }

  /** Skipped updates since the last applied one. */
  public int consecutiveSkips() {
    return consecutiveSkips;
  }

  public int maxConsecutiveSkips() {
    return maxConsecutiveSkips;
  }

  /** {@code NaN}, {@code inf}, {@code -inf}, or the number as Java prints it. */
  static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    return Double.toString(value);
  }
}
