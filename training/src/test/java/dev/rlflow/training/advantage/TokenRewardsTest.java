package dev.rlflow.training.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TokenRewardsTest {

  @Test
  void stepCreditsSitOnTheirLastTokenAndTheOutcomeOnTheLastToken() {
    // Steps [.2, .9] ending at tokens 1 and 3: min-form returns [.2, .9], credits [.2 - .9, .9].
    Steps steps = new Steps(new int[] {1, 3}, new double[] {.2, .9});

    assertThat(TokenRewards.of(new double[6], 0.1, steps, 1.0))
        .containsExactly(new double[] {0, -.7, 0, .9, 0, 1}, within(1e-12));
  }

  @Test
  void minFormReturnsOracle() {
    // ALGORITHMS.md §3: [.9, .2, .6] -> [.2, .2, .6]; a fourth step .95 leaves the first three.
    assertThat(MinFormCredit.returns(new double[] {.9, .2, .6})).containsExactly(.2, .2, .6);
    assertThat(MinFormCredit.returns(new double[] {.9, .2, .6, .95}))
        .containsExactly(.2, .2, .6, .95);
    assertThat(MinFormCredit.returns(new double[0])).isEmpty();
  }

  @Test
  void stepRewardsDoNotPayForLength() {
    // ALGORITHMS.md §3's min-form oracle (PURE): step rewards [.9, .2, .6] ending at tokens 1, 3,
    // 5 give step returns [.2, .2, .6]; a fourth step rewarded .95 leaves them unchanged. The
    // outcome (1) is counted once, on the last token, so it adds 1 to every token's return.
    Steps three = new Steps(new int[] {1, 3, 5}, new double[] {.9, .2, .6});
    Steps four = new Steps(new int[] {1, 3, 5, 7}, new double[] {.9, .2, .6, .95});

    double[] threeReturns = Gae.rewardToGo(TokenRewards.of(new double[6], 0, three, 1.0), 1.0);
    double[] fourReturns = Gae.rewardToGo(TokenRewards.of(new double[8], 0, four, 1.0), 1.0);

    assertThat(threeReturns)
        .containsExactly(new double[] {1.2, 1.2, 1.2, 1.2, 1.6, 1.6}, within(1e-12));
    assertThat(fourReturns)
        .containsExactly(new double[] {1.2, 1.2, 1.2, 1.2, 1.6, 1.6, 1.95, 1.95}, within(1e-12));
  }

  @Test
  void everyTokenPaysBetaTimesKlAndALastStepAddsToTheOutcome() {
    Steps steps = new Steps(new int[] {2}, new double[] {.5});

    double[] rewards = TokenRewards.of(new double[] {.2, -.4, 1.0}, 0.5, steps, 1.0);

    assertThat(rewards).containsExactly(new double[] {-.1, .2, 1.0}, within(1e-12));
  }

  @Test
  void rejectsStepsOutsideTheResponseAndBadCoefficients() {
    Steps late = new Steps(new int[] {0, 3}, new double[] {1, 1});
    assertThatThrownBy(() -> TokenRewards.of(new double[3], 0, late, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value [0, 3] for step ends: must be < the response length (3)");
    assertThatThrownBy(() -> TokenRewards.of(new double[3], -0.1, Steps.none(), 0))
        .hasMessage("Invalid value -0.1 for klCoef: must be >= 0 and finite");
    assertThatThrownBy(() -> TokenRewards.of(new double[0], 0, Steps.none(), 0))
        .hasMessage("Invalid length 0 of kl: must be >= 1");
  }

  @Test
  void stepsMustEndInIncreasingOrderWithOneRewardEach() {
    assertThatThrownBy(() -> new Steps(new int[] {2, 2}, new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value [2, 2] for ends: must be >= 0 and strictly increasing");
    assertThatThrownBy(() -> new Steps(new int[] {1}, new double[] {1, 2}))
        .hasMessage("Invalid length 2 of rewards: must equal the number of step ends (1)");
    assertThatThrownBy(() -> new Steps(new int[] {1}, new double[] {Double.NaN}))
        .hasMessage("Invalid value NaN for rewards[0]: must be finite");
  }
}
