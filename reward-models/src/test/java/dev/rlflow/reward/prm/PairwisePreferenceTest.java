package dev.rlflow.reward.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The pairwise objective's target ½(1 + p − q) and Bradley–Terry loss, exactly. */
class PairwisePreferenceTest {

  @Test
  void targetIsHalfOfOnePlusTheDifferenceOfValues() {
    assertThat(PairwisePreference.target(0.9, 0.3)).isCloseTo(0.8, within(1e-15));
    assertThat(PairwisePreference.target(1.0, 0.0)).isEqualTo(1.0);
    assertThat(PairwisePreference.target(0.0, 1.0)).isEqualTo(0.0);
    assertThat(PairwisePreference.target(0.4, 0.4)).isEqualTo(0.5);
    assertThat(PairwisePreference.target(0.25, 0.75)).isEqualTo(0.25);
  }

  @Test
  void lossIsTheCrossEntropyOfTheLogisticOfTheMarginDifference() {
    // d = 2 − 0.5 = 1.5, t = 0.8: −[0.8 log σ(1.5) + 0.2 log σ(−1.5)]
    double sigma = 1 / (1 + Math.exp(-1.5));
    double expected = -(0.8 * Math.log(sigma) + 0.2 * Math.log(1 - sigma));
    assertThat(PairwisePreference.loss(2.0, 0.5, 0.8)).isCloseTo(expected, within(1e-12));
    // Equal margins and an indifferent target: log 2.
    assertThat(PairwisePreference.loss(0.3, 0.3, 0.5)).isCloseTo(Math.log(2), within(1e-15));
    // Stable for large margins: softplus(100) − 1·100 = log(1 + e^−100).
    assertThat(PairwisePreference.loss(100, 0, 1.0)).isCloseTo(0.0, within(1e-40));
    assertThat(PairwisePreference.loss(0, 100, 1.0)).isCloseTo(100.0, within(1e-12));
  }

  @Test
  void decisionThresholdFitsHardLabelsBest() {
    double[] margins = {-3, -1, 0.5, 2, 4};
    boolean[] correct = {false, false, true, true, true};
    assertThat(DecisionThreshold.fit(margins, correct, 0)).isEqualTo(-0.25);
    // Shifted margins: the threshold moves with them (pairwise learns only differences).
    double[] shifted = {7, 9, 10.5, 12, 14};
    assertThat(DecisionThreshold.fit(shifted, correct, 0)).isEqualTo(9.75);
    // Soft scores of correct early steps below ½: the threshold goes below them.
    double[] soft = {0.02, 0.3, 0.45, 0.9};
    assertThat(DecisionThreshold.fit(soft, new boolean[] {false, true, true, true}, 0.5))
        .isCloseTo(0.16, within(1e-15));
    // Equally accurate thresholds (one error either way): the one nearest the neutral value.
    assertThat(
            DecisionThreshold.fit(
                new double[] {0.1, 0.4, 0.8}, new boolean[] {true, false, true}, 0.5))
        .isCloseTo(0.6, within(1e-15));
  }
}
