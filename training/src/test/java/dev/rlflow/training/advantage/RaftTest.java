package dev.rlflow.training.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RaftTest {

  private static final Steps THREE_STEPS =
      new Steps(new int[] {2, 5, 8}, new double[] {.2, .1, -.3});

  @Test
  void aResponseTheVerifierRewardsIsAcceptedWhole() {
    assertThat(Raft.advantages(1.0, THREE_STEPS, 10)).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    assertThat(Raft.advantages(.5, Steps.none(), 3)).containsExactly(1, 1, 1);
  }

  @Test
  void aRejectedResponseKeepsTheLeadingStepsThePrmJudgesRight() {
    // steps end at tokens 2, 5 and 8; the first two are judged right, the third wrong: tokens
    // 0..5 are accepted, the wrong step and what follows it (the stop token 9) are not
    assertThat(Raft.advantages(0, THREE_STEPS, 10)).containsExactly(1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  }

  @Test
  void aStepJudgedWrongEndsThePrefixEvenWhenLaterStepsAreJudgedRight() {
    Steps wrongFirst = new Steps(new int[] {2, 5}, new double[] {-.1, .4});
    assertThat(Raft.advantages(0, wrongFirst, 7)).containsOnly(0);
    // a step with reward exactly 0 (a blank segment, or a score on the threshold) is not accepted
    Steps onThreshold = new Steps(new int[] {2, 5}, new double[] {.3, 0});
    assertThat(Raft.advantages(0, onThreshold, 7)).containsExactly(1, 1, 1, 0, 0, 0, 0);
  }

  @Test
  void aRejectedResponseWithoutStepsIsRejectedWhole() {
    assertThat(Raft.advantages(0, Steps.none(), 4)).containsOnly(0);
  }

  @Test
  void aStepBeyondTheResponseIsRejected() {
    assertThatThrownBy(() -> Raft.advantages(0, THREE_STEPS, 8))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
