package dev.rlflow.training.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MonteCarloStepAdvantagesTest {

  @Test
  void stepAdvantagesAreTheVinePpoOracle() {
    // ALGORITHMS.md §3: V(s_0) = .5, V(s_1) = .75, V(s_2) = .25, outcome 0 after step 3, step
    // rewards 0: A = [.75 - .5, .25 - .75, 0 - .25].
    double[] advantages =
        MonteCarloStepAdvantages.steps(.5, new double[] {.75, .25, 0}, new double[3]);

    assertThat(advantages).containsExactly(new double[] {.25, -.5, -.25}, within(1e-12));
  }

  @Test
  void aStepRewardAddsToItsOwnStepOnly() {
    // r_2 = .1 moves A_2 alone: [.25, -.4, -.25].
    double[] advantages =
        MonteCarloStepAdvantages.steps(.5, new double[] {.75, .25, 0}, new double[] {0, .1, 0});

    assertThat(advantages).containsExactly(new double[] {.25, -.4, -.25}, within(1e-12));
  }

  @Test
  void everyTokenOfAStepGetsItsAdvantage() {
    // Steps end at tokens 2, 5 and 7 of 8: tokens 0-2, 3-5, 6-7.
    double[] perToken =
        MonteCarloStepAdvantages.tokens(new int[] {2, 5, 7}, new double[] {.25, -.5, -.25}, 8);

    assertThat(perToken).containsExactly(.25, .25, .25, -.5, -.5, -.5, -.25, -.25);
  }

  @Test
  void tokensAfterTheLastStepEndBelongToTheLastStep() {
    assertThat(MonteCarloStepAdvantages.tokens(new int[] {0, 1}, new double[] {1, 2}, 4))
        .containsExactly(1, 2, 2, 2);
  }

  @Test
  void refusesMismatchedOrNonFiniteInputs() {
    assertThatThrownBy(() -> MonteCarloStepAdvantages.steps(.5, new double[] {1}, new double[2]))
        .hasMessage("Invalid lengths 1 of values and 2 of rewards: must be equal and >= 1");
    assertThatThrownBy(
            () -> MonteCarloStepAdvantages.steps(.5, new double[] {Double.NaN}, new double[1]))
        .hasMessage("Invalid value NaN for values[0]: must be finite");
    assertThatThrownBy(() -> MonteCarloStepAdvantages.tokens(new int[] {3}, new double[] {1}, 3))
        .hasMessageContaining("must be < the response length (3)");
  }
}
