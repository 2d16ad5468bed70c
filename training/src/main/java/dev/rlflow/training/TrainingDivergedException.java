package dev.rlflow.training;

/**
 * Training has produced non-finite losses or gradient norms for too many updates in a row, so
 * further updates cannot help: restart from the last checkpoint with a lower learning rate or
 * cleaner data rather than retrying as is.
 */
public final class TrainingDivergedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final long step;
  private final double loss;
  private final double gradNorm;
  private final int consecutiveSkips;

  /**
   * A divergence found at update {@code step} with these values, after {@code consecutiveSkips}
   * skipped updates (that one included).
   */
  public TrainingDivergedException(long step, double loss, double gradNorm, int consecutiveSkips) {
    super(
        "Training diverged: loss "
            + NonFiniteGuard.format(loss)
            + ", gradient norm "
            + NonFiniteGuard.format(gradNorm)
            + " at step "
            + step
            + " after "
            + consecutiveSkips
            + " consecutive skipped steps");
    this.step = step;
    this.loss = loss;
    this.gradNorm = gradNorm;
    this.consecutiveSkips = consecutiveSkips;
  }

  /** The update at which training gave up. */
  public long step() {
    return step;
  }

  /** The loss of that update. */
  public double loss() {
    return loss;
  }

  /** The gradient norm of that update, before clipping. */
  public double gradNorm() {
    return gradNorm;
  }

  /** Skipped updates in a row, the last one included. */
  public int consecutiveSkips() {
    return consecutiveSkips;
  }
}
