package dev.rlflow.training.macro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.config.AlgorithmConfig.MacroActions;
import dev.rlflow.training.advantage.Steps;
import org.junit.jupiter.api.Test;

class SegmentationTest {

  @Test
  void fixedOracleFiveGramsOverTwelveTokens() {
    // ALGORITHMS.md §5: two 5-grams, the 11th token, then the last token on its own.
    assertThat(Segmentation.fixed(12, 5).lengths()).containsExactly(5, 5, 1, 1);
  }

  @Test
  void fixedLastTokenIsItsOwnMacroActionEvenWhereAnNGramStarts() {
    assertThat(Segmentation.fixed(11, 5).lengths()).containsExactly(5, 5, 1);
    assertThat(Segmentation.fixed(10, 5).lengths()).containsExactly(5, 4, 1);
    assertThat(Segmentation.fixed(3, 5).lengths()).containsExactly(2, 1);
    assertThat(Segmentation.fixed(1, 5).lengths()).containsExactly(1);
    assertThat(Segmentation.fixed(4, 1).lengths()).containsExactly(1, 1, 1, 1);
  }

  @Test
  void stepsGiveOneMacroActionPerStepAndTheLastTokenItsOwn() {
    // Steps end at tokens 1, 4 and 7 of 8: [0, 1], [2, 4], [5, 6], [7].
    Steps steps = new Steps(new int[] {1, 4, 7}, new double[] {1, 1, 1});
    assertThat(Segmentation.steps(8, steps).lengths()).containsExactly(2, 3, 2, 1);

    // Tokens after the last step (5 .. 8) form one macro action before the last token.
    Steps early = new Steps(new int[] {1, 4}, new double[] {1, 1});
    assertThat(Segmentation.steps(10, early).lengths()).containsExactly(2, 3, 4, 1);

    assertThat(Segmentation.steps(3, Steps.none()).lengths()).containsExactly(2, 1);
  }

  @Test
  void perplexityCutsWhereTheReferenceIsMoreSurprisedThanAtThePreviousToken() {
    // nll = [1, .5, .2, .9, .9, .3, 2]: rises at token 3 (.2 -> .9) and token 6 (.3 -> 2); the
    // tie at token 4 does not cut. Macro actions [0, 2], [3, 5], [6].
    double[] refLogProbs = {-1, -.5, -.2, -.9, -.9, -.3, -2};

    assertThat(Segmentation.perplexity(refLogProbs).lengths()).containsExactly(3, 3, 1);
  }

  @Test
  void ofDispatchesByTheConfiguredMode() {
    double[] ref = {-1, -.5, -.2, -.9, -.9, -.3, -2};
    Steps steps = new Steps(new int[] {1}, new double[] {1});

    assertThat(Segmentation.of(MacroActions.NONE, 5, steps, ref).lengths())
        .containsExactly(1, 1, 1, 1, 1, 1, 1);
    assertThat(Segmentation.of(MacroActions.FIXED, 5, steps, ref).lengths())
        .containsExactly(5, 1, 1);
    assertThat(Segmentation.of(MacroActions.STEP, 5, steps, ref).lengths())
        .containsExactly(2, 4, 1);
    assertThat(Segmentation.of(MacroActions.PPL, 5, steps, ref).lengths()).containsExactly(3, 3, 1);
  }

  @Test
  void averageUsesEqualWeightsAndBroadcastFillsEveryToken() {
    Segmentation segmentation = new Segmentation(new int[] {2, 3, 1});

    assertThat(segmentation.average(new double[] {1, 3, 0, 3, 6, 7})).containsExactly(2, 3, 7);
    assertThat(segmentation.broadcast(new double[] {2, 3, 7})).containsExactly(2, 2, 3, 3, 3, 7);
    assertThat(segmentation.tokens()).isEqualTo(6);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Segmentation.fixed(12, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0 for n: must be >= 1");
    assertThatThrownBy(() -> Segmentation.fixed(0, 5))
        .hasMessage("Invalid value 0 for tokens: must be >= 1");
    assertThatThrownBy(() -> new Segmentation(new int[] {2, 0}))
        .hasMessage("Invalid value 0 for lengths[1]: must be >= 1");
    assertThatThrownBy(() -> new Segmentation(new int[] {2, 1}).average(new double[2]))
        .hasMessage("Invalid length 2 of perToken: must be 3");
    assertThatThrownBy(() -> Segmentation.perplexity(new double[] {-1, Double.NaN}))
        .hasMessage("Invalid value NaN for refLogProbs[1]: must be finite");
  }
}
