package dev.rlflow.training.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlflow.training.NonFiniteGuard;
import dev.rlflow.training.TrainingDivergedException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The end of every rlflow update, after backward: the gradients are clipped to a global norm, the
 * {@link NonFiniteGuard} decides whether the update is applied, and AdamW applies it. Owns the
 * optimizer's moments; the caller zeroes the gradients (also when backward failed).
 */
public final class GuardedUpdate implements AutoCloseable {

  /**
   * What the update did.
   *
   * @param gradNorm global gradient norm before clipping
   * @param applied false when the loss or norm was not finite and nothing was updated
   */
  public record Outcome(double gradNorm, boolean applied) {}

  private final AdamW optimizer;
  private final NonFiniteGuard guard;
  private final double maxGradNorm;

  /** An update rule whose optimizer state lives under {@code parent}. */
  public GuardedUpdate(
      NDManager parent, AdamW.Hyperparameters hp, double maxGradNorm, int maxConsecutiveSkips) {
    checkSettings(maxGradNorm, maxConsecutiveSkips);
    this.optimizer = new AdamW(parent, hp);
    this.guard = new NonFiniteGuard(maxConsecutiveSkips);
    this.maxGradNorm = maxGradNorm;
  }

  /**
   * Checks the settings every trainer's configuration carries.
   *
   * @throws IllegalArgumentException naming the setting, its value and the rule
   */
  public static void checkSettings(double maxGradNorm, int maxConsecutiveSkips) {
    if (!(maxGradNorm > 0)) {
      throw new IllegalArgumentException(
          "Invalid value " + maxGradNorm + " for maxGradNorm: must be > 0");
    }
    if (maxConsecutiveSkips < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + maxConsecutiveSkips + " for maxConsecutiveSkips: must be >= 1");
    }
  }

  /**
   * Clips the gradients of {@code params}, lets the guard judge {@code loss} and the norm, and
   * updates the weights at {@code lr} when admitted; gradient handles are attached to {@code
   * scope}.
   *
   * @throws TrainingDivergedException when this is the configured number of non-finite updates in a
   *     row
   */
  public Outcome apply(
      Map<String, NDArray> params, long step, double loss, double lr, NDManager scope) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> p : params.entrySet()) {
      NDArray g = p.getValue().getGradient(); // a new handle on each call: scope it
      g.attach(scope);
      grads.put(p.getKey(), g);
    }
    double gradNorm = GradientClipping.clipByGlobalNorm(grads.values(), maxGradNorm);
    boolean applied = guard.admit(step, loss, gradNorm);
    if (applied) {
      optimizer.step(params, grads, lr);
    }
    return new Outcome(gradNorm, applied);
  }

  /** The optimizer, whose {@link AdamW#state()} a checkpoint saves. */
  public AdamW optimizer() {
    return optimizer;
  }

  /** Updates skipped so far because their loss or gradient norm was not finite. */
  public long skippedSteps() {
    return guard.skippedSteps();
  }

  /** Frees the optimizer's moments. */
  @Override
  public void close() {
    optimizer.close();
  }
}
