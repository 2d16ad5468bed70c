package dev.rlflow.reward.prm;

import java.util.Arrays;

/**
 * The score above which a PRM calls a step correct, chosen to fit the hard labels (MC > 0) of its
 * training steps best. A soft PRM estimates the Monte Carlo value, the chance that the policy still
 * reaches a right answer, which for a correct early step of a long solution is often below ½; the
 * pairwise objective learns only differences of scores (Bradley–Terry is unchanged by adding a
 * constant to every r), so its σ(r) has no meaningful ½ at all. Either way "correct" is "score
 * above the fitted threshold".
 */
public final class DecisionThreshold {
  private DecisionThreshold() {}

  /**
   * The threshold τ maximising the accuracy of "correct iff score > τ" on the given steps: a
   * midpoint between consecutive distinct scores, or 1 below the smallest or above the largest;
   * among equally accurate thresholds the one nearest {@code neutral}.
   */
  public static double fit(double[] scores, boolean[] correct, double neutral) {
    if (scores.length != correct.length || scores.length == 0) {
      throw new IllegalArgumentException(
          scores.length + " scores and " + correct.length + " labels: must be equal and > 0");
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    // τ below every margin: everything is called correct.
    int right = 0;
    for (boolean c : correct) {
      right += c ? 1 : 0;
    }
    double best = scores[order[0]] - 1.0;
    int bestRight = right;
    for (int k = 0; k < order.length; k++) {
      // Moving τ past scores[order[k]] calls that step wrong.
      right += correct[order[k]] ? -1 : 1;
      if (k + 1 < order.length && scores[order[k + 1]] == scores[order[k]]) {
        continue; // τ cannot fall between equal scores
      }
      double tau =
          k + 1 < order.length
              ? (scores[order[k]] + scores[order[k + 1]]) / 2
              : scores[order[k]] + 1.0;
      if (right > bestRight
          || (right == bestRight && Math.abs(tau - neutral) < Math.abs(best - neutral))) {
        best = tau;
        bestRight = right;
      }
    }
    return best;
  }
}
