package dev.rlflow.training.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class WhiteningTest {

  @Test
  void statisticsRunOverAllTokensOfAllResponsesWithPopulationStd() {
    // Tokens 1, 2, 3: mean 2, population std sqrt(2/3) = 0.8164966 (ddof 1 would give 1).
    List<double[]> whitened = Whitening.whiten(List.of(new double[] {1, 2}, new double[] {3}));

    double scale = Math.sqrt(2.0 / 3) + Whitening.EPS;
    assertThat(whitened.get(0)).containsExactly(new double[] {-1 / scale, 0}, within(1e-12));
    assertThat(whitened.get(1)).containsExactly(new double[] {1 / scale}, within(1e-12));
    assertThat(whitened.get(1)[0]).isCloseTo(1.2247, within(1e-4));
  }

  @Test
  void identicalValuesBecomeZeroNotNan() {
    // The mean of three .7s rounds to .7 + 1.1e-16; EPS turns that residue into 1.1e-10, not NaN.
    assertThat(Whitening.whiten(List.of(new double[] {.7, .7, .7})).get(0))
        .containsExactly(new double[] {0, 0, 0}, within(1e-9));
  }

  @Test
  void rejectsAnEmptyBatchAndNonFiniteValues() {
    assertThatThrownBy(() -> Whitening.whiten(List.of(new double[0])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Nothing to whiten: the batch holds no value");
    assertThatThrownBy(() -> Whitening.whiten(List.of(new double[] {1, Double.NaN})))
        .hasMessage("Invalid value NaN at index 1: must be finite to whiten");
  }
}
