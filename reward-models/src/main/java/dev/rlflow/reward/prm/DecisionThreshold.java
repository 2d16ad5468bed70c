package dev.rlflow.reward.prm;

import java.util.Arrays;

/**
 * The margin above which a PRM calls a step correct, chosen to fit hard labels best. The pairwise
 * objective learns only differences of margins (Bradley–Terry is unchanged by adding a constant to
 * every r), so its P(correct) = σ(r) has no meaningful 0.5 point until one is fitted; the pointwise
 * objectives need none (their threshold is 0).
 */
public final class DecisionThreshold {
  private DecisionThreshold() {}

  /**
   * The threshold τ maximising the accuracy of "correct iff margin > τ" on the given steps: a
   * midpoint between consecutive distinct margins, or just below the smallest; among equally
   * accurate thresholds the one nearest 0.
   */
  public static double fit(double[] margins, boolean[] correct) {
    if (margins.length != correct.length || margins.length == 0) {
      throw new IllegalArgumentException(
          margins.length + " margins and " + correct.length + " labels: must be equal and > 0");
    }
    Integer[] order = new Integer[margins.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(margins[a], margins[b]));
    // τ below every margin: everything is called correct.
    int right = 0;
    for (boolean c : correct) {
      right += c ? 1 : 0;
    }
    double best = margins[order[0]] - 1.0;
    int bestRight = right;
    for (int k = 0; k < order.length; k++) {
      // Moving τ past margins[order[k]] calls that step wrong.
      right += correct[order[k]] ? -1 : 1;
      if (k + 1 < order.length && margins[order[k + 1]] == margins[order[k]]) {
        continue; // τ cannot fall between equal margins
      }
      double tau =
          k + 1 < order.length
              ? (margins[order[k]] + margins[order[k + 1]]) / 2
              : margins[order[k]] + 1.0;
      if (right > bestRight || (right == bestRight && Math.abs(tau) < Math.abs(best))) {
        best = tau;
        bestRight = right;
      }
    }
    return best;
  }
}
