package dev.rlflow.reward.omega;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SelectionScoreTest {
  private static final OmegaPrmSearch.Params PAPER = OmegaPrmSearch.Params.defaults();

  @Test
  void workedExampleOfAlgorithmsMd() {
    // α .5, β .9, L 500, c .125, Σ N = 3.
    SelectionScore r1 = SelectionScore.of(PAPER, 0.75, 200, 1, 3);
    SelectionScore r2 = SelectionScore.of(PAPER, 0.25, 100, 0, 3);

    assertThat(r1.q()).isCloseTo(0.8062, within(1e-4));
    assertThat(r1.u()).isCloseTo(0.1083, within(1e-4));
    assertThat(r1.total()).isCloseTo(0.9144, within(1e-4));
    assertThat(r2.q()).isCloseTo(0.5822, within(1e-4));
    assertThat(r2.u()).isCloseTo(0.2165, within(1e-4));
    assertThat(r2.total()).isCloseTo(0.7987, within(1e-4));
  }

  @Test
  void noExplorationBeforeTheFirstSelection() {
    SelectionScore score = SelectionScore.of(PAPER, 1.0, 0, 0, 0);

    assertThat(score.q()).isEqualTo(1.0);
    assertThat(score.u()).isEqualTo(0.0);
  }
}
