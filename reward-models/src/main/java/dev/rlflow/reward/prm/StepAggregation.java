package dev.rlflow.reward.prm;

import dev.rlflow.core.config.RewardConfig.Aggregation;

/**
 * A solution's score from its step scores (ALGORITHMS.md §2): {@code min} (Math-Shepherd, Wang et
 * al. 2024), {@code product} (PRM800K, Lightman et al. 2023; OmegaPRM) or {@code last}.
 */
public final class StepAggregation {
  private StepAggregation() {}

  /**
   * The aggregate of {@code stepScores}, each a probability in [0, 1]. A solution without steps
   * scores 0: the PRM has nothing to vouch for, and an empty product of 1 would rank a bare answer
   * above every reasoned one.
   */
  public static double aggregate(Aggregation aggregation, double[] stepScores) {
    if (stepScores.length == 0) {
      return 0.0;
    }
    return switch (aggregation) {
      case MIN -> {
        double min = stepScores[0];
        for (double s : stepScores) {
          min = Math.min(min, s);
        }
        yield min;
      }
      case PRODUCT -> {
        double product = 1.0;
        for (double s : stepScores) {
          product *= s;
        }
        yield product;
      }
      case LAST -> stepScores[stepScores.length - 1];
    };
  }
}
