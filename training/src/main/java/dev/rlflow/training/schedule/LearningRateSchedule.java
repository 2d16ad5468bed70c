package dev.rlflow.training.schedule;

import java.util.Locale;

/**
 * The learning rate of each optimizer update, a pure function of the update's index {@code step =
 * 0, 1, 2, ...}.
 *
 * <p>Both schedules start with a linear warm-up over {@code warmupSteps} updates, {@code lr(step) =
 * peakLr * (step + 1) / warmupSteps}, which reaches the peak at update {@code warmupSteps - 1} and
 * never spends an update at rate 0. Warm-up keeps Adam's first updates small while its second
 * moment is still a poor estimate (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate
 * and Beyond", arXiv 1908.03265).
 */
public sealed interface LearningRateSchedule {

  /**
   * The learning rate of update {@code step}.
   *
   * @throws IllegalArgumentException if {@code step} is negative
   */
  double lr(long step);

  /** The learning rate after warm-up. */
  double peakLr();

  /**
   * The schedule a run configuration names: {@code cosine} ({@link Cosine}) or {@code constant}
   * ({@link Constant}, which ignores {@code totalSteps} and {@code minLrRatio}), case-insensitive.
   *
   * @throws IllegalArgumentException for another name or a value a schedule rejects
   */
  static LearningRateSchedule of(
      String name, double peakLr, long warmupSteps, long totalSteps, double minLrRatio) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "cosine" -> new Cosine(peakLr, warmupSteps, totalSteps, minLrRatio);
      case "constant" -> new Constant(peakLr, warmupSteps);
      default ->
          throw new IllegalArgumentException(
              "Invalid value " + name + " for schedule: must be cosine or constant");
    };
  }

  /**
   * Linear warm-up, then {@code peakLr} for ever.
   *
   * @param peakLr the rate after warm-up, > 0 and finite
   * @param warmupSteps updates of linear warm-up, >= 0
   */
  record Constant(double peakLr, long warmupSteps) implements LearningRateSchedule {

    public Constant {
      requirePeak(peakLr);
      requireWarmup(warmupSteps);
    }

    @Override
    public double lr(long step) {
      requireStep(step);
      return step < warmupSteps ? warmup(peakLr, warmupSteps, step) : peakLr;
    }
  }

  /**
   * Linear warm-up, then half a cosine from {@code peakLr} at update {@code warmupSteps} down to
   * {@code minLrRatio * peakLr} at update {@code totalSteps}, and that floor afterwards (Loshchilov
   * and Hutter 2017, "SGDR: Stochastic Gradient Descent with Warm Restarts", arXiv 1608.03983,
   * without restarts):
   *
   * <pre>
   *   progress = (step - warmupSteps) / (totalSteps - warmupSteps)
   *   lr = min + (peakLr - min) * (1 + cos(pi * progress)) / 2,   min = minLrRatio * peakLr
   * </pre>
   *
   * @param peakLr the rate at the end of warm-up, > 0 and finite
   * @param warmupSteps updates of linear warm-up, >= 0
   * @param totalSteps the update at which the decay reaches its floor, > warmupSteps
   * @param minLrRatio the floor as a fraction of {@code peakLr}, in [0, 1]
   */
  record Cosine(double peakLr, long warmupSteps, long totalSteps, double minLrRatio)
      implements LearningRateSchedule {

    public Cosine {
      requirePeak(peakLr);
      requireWarmup(warmupSteps);
      if (totalSteps <= warmupSteps) {
        throw new IllegalArgumentException(
            "Invalid value "
                + totalSteps
                + " for totalSteps: must be > warmupSteps ("
                + warmupSteps
                + ")");
      }
      if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
        throw new IllegalArgumentException(
            "Invalid value " + minLrRatio + " for minLrRatio: must be in [0, 1]");
      }
    }

    @Override
    public double lr(long step) {
      requireStep(step);
      if (step < warmupSteps) {
        return warmup(peakLr, warmupSteps, step);
      }
      double min = minLrRatio * peakLr;
      if (step >= totalSteps) {
        return min;
      }
      double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
      return min + (peakLr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }

  private static double warmup(double peakLr, long warmupSteps, long step) {
    return peakLr * (step + 1) / warmupSteps;
  }

  private static void requirePeak(double peakLr) {
    if (!(peakLr > 0) || Double.isInfinite(peakLr)) {
      throw new IllegalArgumentException(
          "Invalid value " + peakLr + " for peakLr: must be > 0 and finite");
    }
  }

  private static void requireWarmup(long warmupSteps) {
    if (warmupSteps < 0) {
      throw new IllegalArgumentException(
          "Invalid value " + warmupSteps + " for warmupSteps: must be >= 0");
    }
  }

  private static void requireStep(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("Invalid value " + step + " for step: must be >= 0");
    }
  }
}
