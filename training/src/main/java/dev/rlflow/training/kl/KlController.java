package dev.rlflow.training.kl;

import dev.rlflow.core.config.AlgorithmConfig;

/**
 * The coefficient beta of the KL penalty to the reference policy, updated after each batch of
 * rollouts. Immutable: {@link #update} returns the controller for the next batch, so a checkpoint
 * saves it as its {@link #coef()}.
 */
public sealed interface KlController {

  /** beta for the next batch. */
  double coef();

  /**
   * The controller after a batch of {@code responses} responses whose KL to the reference was
   * {@code observedKl} per response (the mean over responses of the sum over tokens of the
   * per-token estimate).
   *
   * @throws IllegalArgumentException if {@code observedKl} is not finite or {@code responses < 1}
   */
  KlController update(double observedKl, int responses);

  /** The same controller at beta {@code coef} (a resumed run's saved beta). */
  KlController withCoef(double coef);

  /**
   * The controller a run configures: {@link Adaptive} toward {@code algorithm.kl_target} over
   * {@code algorithm.kl_horizon} responses when {@code algorithm.adaptive_kl}, else {@link Fixed},
   * both starting at {@code algorithm.kl_coef}.
   */
  static KlController of(AlgorithmConfig config) {
    return config.adaptiveKl()
        ? new Adaptive(config.klCoef(), config.klTarget(), config.klHorizon())
        : new Fixed(config.klCoef());
  }

  /**
   * A constant beta (DeepSeekMath's GRPO: 0.04 in the loss).
   *
   * @param coef beta, {@code >= 0} and finite
   */
  record Fixed(double coef) implements KlController {

    public Fixed {
      requireCoef(coef);
    }

    @Override
    public KlController update(double observedKl, int responses) {
      requireObservation(observedKl, responses);
      return this;
    }

    @Override
    public KlController withCoef(double coef) {
      return new Fixed(coef);
    }
  }

  /**
   * The proportional controller of Ziegler et al. 2019 ("Fine-Tuning Language Models from Human
   * Preferences", arXiv 1909.08593, §2.2), which steers the KL toward a target instead of fixing
   * the trade-off between reward and KL in advance:
   *
   * <pre>
   *   e    = clip(KL / target - 1, -0.2, 0.2)
   *   beta = beta * (1 + e * responses / horizon)
   * </pre>
   *
   * <p>The clip bounds how far one noisy batch moves beta; {@code responses / horizon} is the
   * paper's K_beta, scaled so that the rate of change per response does not depend on the batch
   * size (as in its lm-human-preferences code).
   *
   * @param coef the current beta, {@code >= 0} and finite
   * @param target the KL per response to steer toward, {@code > 0} and finite
   * @param horizon responses over which e moves beta by a factor of about {@code 1 + e}, {@code >
   *     0} and finite
   */
  record Adaptive(double coef, double target, double horizon) implements KlController {

    public Adaptive {
      requireCoef(coef);
      requirePositive("target", target);
      requirePositive("horizon", horizon);
    }

    @Override
    public KlController update(double observedKl, int responses) {
      requireObservation(observedKl, responses);
      double error = Math.max(-0.2, Math.min(0.2, observedKl / target - 1));
      return new Adaptive(coef * (1 + error * responses / horizon), target, horizon);
    }

    @Override
    public KlController withCoef(double coef) {
      return new Adaptive(coef, target, horizon);
    }
  }

  private static void requireCoef(double coef) {
    if (!(coef >= 0) || Double.isInfinite(coef)) {
      throw new IllegalArgumentException(
          "Invalid value " + coef + " for coef: must be >= 0 and finite");
    }
  }

  private static void requirePositive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "Invalid value " + value + " for " + name + ": must be > 0 and finite");
    }
  }

  private static void requireObservation(double observedKl, int responses) {
    if (!Double.isFinite(observedKl)) {
      throw new IllegalArgumentException(
          "Invalid value " + observedKl + " for observedKl: must be finite");
    }
    if (responses < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + responses + " for responses: must be >= 1");
    }
  }
}
