package dev.rlflow.reward.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.config.RewardConfig.Verifier;
import org.junit.jupiter.api.Test;

class OutcomeVerifierTest {
  private static final String QUESTION = "start 11, +1, *4";
  private static final String RIGHT = "11 + 1 = 12\n12 * 4 = 48\nanswer: 48";

  /** The right answer through a wrong first step: what a policy that tracks values may write. */
  private static final String LUCKY = "11 + 1 = 11\n11 * 4 = 48\nanswer: 48";

  @Test
  void answerAcceptsTheRightAnswerWhateverTheSteps() {
    OutcomeVerifier v = OutcomeVerifier.of(Verifier.ANSWER, "q", QUESTION, "48");
    assertThat(v.correct(RIGHT)).isTrue();
    assertThat(v.correct(LUCKY)).isTrue();
    assertThat(v.correct("11 + 1 = 12\n12 * 4 = 44\nanswer: 44")).isFalse();
  }

  @Test
  void arithStepsAcceptsOnlyAFullyCorrectChain() {
    OutcomeVerifier v = OutcomeVerifier.of(Verifier.ARITH_STEPS, "q", QUESTION, "48");
    assertThat(v.correct(RIGHT)).isTrue();
    assertThat(v.correct(LUCKY)).isFalse();
    assertThat(v.correct("11 + 1 = 12\nanswer: 48")).isFalse(); // a missing step
  }

  @Test
  void arithStepsNeedsAnArithQuestion() {
    assertThatThrownBy(() -> OutcomeVerifier.of(Verifier.ARITH_STEPS, "q", "What is 2 + 2?", "4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not an arith question");
  }
}
