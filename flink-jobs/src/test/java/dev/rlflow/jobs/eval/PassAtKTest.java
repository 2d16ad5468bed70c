package dev.rlflow.jobs.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PassAtKTest {
  @Test
  void matchesTheClosedFormExactly() {
    assertThat(PassAtK.estimate(5, 2, 1)).isEqualTo(0.4); // 1 - 3/5
    assertThat(PassAtK.estimate(5, 2, 2)).isEqualTo(0.7); // 1 - C(3,2)/C(5,2) = 1 - 3/10
    assertThat(PassAtK.estimate(5, 2, 3)).isEqualTo(0.9); // 1 - C(3,3)/C(5,3) = 1 - 1/10
    assertThat(PassAtK.estimate(10, 1, 5)).isEqualTo(0.5); // 1 - C(9,5)/C(10,5) = 1 - 126/252
    assertThat(PassAtK.estimate(4, 1, 1)).isEqualTo(0.25);
  }

  @Test
  void isZeroWithoutCorrectSamplesAndOneWhenEveryDrawHitsOne() {
    assertThat(PassAtK.estimate(5, 0, 1)).isEqualTo(0.0);
    assertThat(PassAtK.estimate(5, 0, 5)).isEqualTo(0.0);
    assertThat(PassAtK.estimate(5, 4, 2)).isEqualTo(1.0); // n - c = 1 < k = 2
    assertThat(PassAtK.estimate(5, 5, 1)).isEqualTo(1.0);
    assertThat(PassAtK.estimate(5, 1, 5)).isEqualTo(1.0);
  }

  @Test
  void equalsTheNumericallyStableProductForLargeN() {
    // Chen et al.'s reference: 1 - prod_{i=n-c+1}^{n} (1 - k/i)
    int n = 200;
    int c = 3;
    int k = 100;
    double product = 1;
    for (int i = n - c + 1; i <= n; i++) {
      product *= 1 - (double) k / i;
    }
    assertThat(PassAtK.estimate(n, c, k)).isCloseTo(1 - product, within(1e-15));
  }

  @Test
  void rejectsImpossibleCounts() {
    assertThatThrownBy(() -> PassAtK.estimate(5, 6, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid pass@k arguments n=5, c=6, k=1: must satisfy 0 <= c <= n and 1 <= k <= n");
    assertThatThrownBy(() -> PassAtK.estimate(5, 2, 6))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PassAtK.estimate(5, 2, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
