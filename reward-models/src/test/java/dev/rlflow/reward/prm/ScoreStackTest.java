package dev.rlflow.reward.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScoreStackTest {

  @Test
  void headOnlyIsTheSigmoidOfTheMargin() {
    assertThat(ScoreStack.HEAD_ONLY.probability(0, -5)).isEqualTo(0.5);
    assertThat(ScoreStack.HEAD_ONLY.probability(Math.log(3), -5)).isCloseTo(0.75, within(1e-12));
    assertThat(ScoreStack.HEAD_ONLY.usesConfidence()).isFalse();
  }

  @Test
  void probabilityIsTheSigmoidOfTheWeightedSum() {
    ScoreStack stack = new ScoreStack(0.5, 2, 1);
    // 0.5 * 2 + 2 * (-1) + 1 = 0
    assertThat(stack.probability(2, -1)).isEqualTo(0.5);
    // 0.5 * 0 + 2 * (-0.25) + 1 = 0.5
    assertThat(stack.probability(0, -0.25)).isCloseTo(1 / (1 + Math.exp(-0.5)), within(1e-15));
    assertThat(stack.usesConfidence()).isTrue();
  }

  /** Targets that are exactly σ(2·margin − 3·c + 0.5) are fitted by exactly those numbers. */
  @Test
  void fitRecoversTheCoefficientsOfExactSoftTargets() {
    int n = 60;
    double[] margins = new double[n];
    double[] confidences = new double[n];
    double[] targets = new double[n];
    for (int i = 0; i < n; i++) {
      margins[i] = (i % 7) / 3.0 - 1;
      confidences[i] = -(i % 11) / 4.0;
      targets[i] = ScoreStack.sigmoid(2 * margins[i] - 3 * confidences[i] + 0.5);
    }
    ScoreStack fitted = ScoreStack.fit(margins, confidences, targets);
    assertThat(fitted.head()).isCloseTo(2, within(1e-3));
    assertThat(fitted.confidence()).isCloseTo(-3, within(1e-3));
    assertThat(fitted.bias()).isCloseTo(0.5, within(1e-3));
  }

  /**
   * Hard labels that one feature separates: the ridge keeps the weights finite, the order right.
   */
  @Test
  void separableLabelsGiveFiniteWeightsThatSeparate() {
    double[] margins = {0.1, -0.2, 0.3, 0.0, -0.1, 0.2};
    double[] confidences = {-3, -2.5, -2, -0.5, -0.2, -0.1};
    double[] correct = {0, 0, 0, 1, 1, 1};
    ScoreStack fitted = ScoreStack.fit(margins, confidences, correct);
    assertThat(fitted.confidence()).isPositive();
    for (int i = 0; i < correct.length; i++) {
      assertThat(fitted.probability(margins[i], confidences[i]) > 0.5)
          .as("example %d", i)
          .isEqualTo(correct[i] == 1);
    }
  }

  @Test
  void badInputNamesTheExample() {
    assertThatThrownBy(
            () -> ScoreStack.fit(new double[] {0}, new double[] {0, 1}, new double[] {1}))
        .hasMessageContaining("1 margins, 2 confidences and 1 targets");
    assertThatThrownBy(
            () -> ScoreStack.fit(new double[] {0, 1}, new double[] {0, -1}, new double[] {1, 1.5}))
        .hasMessageContaining("Invalid example 1")
        .hasMessageContaining("target 1.5");
    assertThatThrownBy(() -> new ScoreStack(1, Double.NaN, 0)).hasMessageContaining("finite");
  }
}
