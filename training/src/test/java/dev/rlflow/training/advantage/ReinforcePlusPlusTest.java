package dev.rlflow.training.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReinforcePlusPlusTest {

  @Test
  void tokenReturnsAreWhitenedOverTheWholeBatch() {
    // Returns (gamma 1): [1, 1, 1] and [0, -.5]; over all five tokens mean .5, population std
    // .6324555, so 1 -> .7906, 0 -> -.7906, -.5 -> -1.5811.
    List<TokenAdvantages> estimates =
        ReinforcePlusPlus.estimate(List.of(new double[] {0, 0, 1}, new double[] {.5, -.5}), 1.0);

    assertThat(estimates.get(0).returns()).containsExactly(1, 1, 1);
    assertThat(estimates.get(1).returns()).containsExactly(0, -.5);
    assertThat(estimates.get(0).advantages())
        .containsExactly(new double[] {.7906, .7906, .7906}, within(1e-4));
    assertThat(estimates.get(1).advantages())
        .containsExactly(new double[] {-.7906, -1.5811}, within(1e-4));
  }
}
