package dev.rlflow.training.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** GAE against the oracles of ALGORITHMS.md §3 (gamma 1, lambda 0.95). */
class GaeTest {
  private static final double[] REWARDS = {0, .9, 0, .2, 0, 1};
  private static final double[] VALUES = {.5, .5, .6, .6, .4, .4};

  @Test
  void tokenLevelOracle() {
    TokenAdvantages gae = Gae.estimate(REWARDS, VALUES, 1.0, 0.95);

    // delta = [0, 1, 0, 0, 0, .6]; A_5 = .6, A_4 = .95 * .6 = .57, ..., A_0 = .95 * 1.4887.
    assertThat(gae.advantages())
        .containsExactly(new double[] {1.4143, 1.4887, .5144, .5415, .57, .6}, within(1e-4));
    assertThat(gae.returns())
        .containsExactly(new double[] {1.9143, 1.9887, 1.1144, 1.1415, .97, 1.0}, within(1e-4));
  }

  @Test
  void stepLevelOracle() {
    TokenAdvantages gae = Gae.estimate(new double[] {.9, .2, 1}, new double[] {.5, .6, .4}, 1, .95);

    assertThat(gae.advantages()).containsExactly(new double[] {1.5415, .57, .6}, within(1e-4));
  }

  @Test
  void discountCountsTheValueAfterTheEndAsZero() {
    // gamma .5, lambda 0: one-step TD errors. delta_1 = 1 + .5 * 0 - .2, delta_0 = 0 + .5 * .2 -
    // .4.
    TokenAdvantages gae = Gae.estimate(new double[] {0, 1}, new double[] {.4, .2}, .5, 0);

    assertThat(gae.advantages()).containsExactly(new double[] {-.3, .8}, within(1e-12));
    assertThat(gae.returns()).containsExactly(new double[] {.1, 1.0}, within(1e-12));
  }

  @Test
  void rewardToGoIsTheDiscountedSumOfLaterRewards() {
    assertThat(Gae.rewardToGo(new double[] {1, 0, 2}, .5))
        .containsExactly(new double[] {1.5, 1, 2}, within(1e-12));
  }

  @Test
  void rejectsMismatchedLengthsAndRatesOutsideTheUnitInterval() {
    assertThatThrownBy(() -> Gae.estimate(new double[] {1, 2}, new double[] {1}, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid length 1 of values: must equal the length of rewards (2)");
    assertThatThrownBy(() -> Gae.estimate(new double[] {1}, new double[] {1}, 1.5, 1))
        .hasMessage("Invalid value 1.5 for gamma: must be in [0, 1]");
    assertThatThrownBy(() -> Gae.estimate(new double[] {1}, new double[] {1}, 1, Double.NaN))
        .hasMessage("Invalid value NaN for lambda: must be in [0, 1]");
  }
}
