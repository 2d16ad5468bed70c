package dev.rlflow.training.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RaftTest {

  private static final Steps RIGHT_STEPS =
      new Steps(new int[] {2, 5, 8}, new double[] {.2, .1, .3});
  private static final Steps THIRD_WRONG =
      new Steps(new int[] {2, 5, 8}, new double[] {.2, .1, -.3});

  @Test
  void aResponseTheVerifierRewardsIsAcceptedWhole() {
    assertThat(Raft.advantages(1.0, RIGHT_STEPS, 10)).containsOnly(1).hasSize(10);
    assertThat(Raft.advantages(.5, Steps.none(), 3)).containsExactly(1, 1, 1);
  }

  @Test
  void aRightAnswerThroughAStepThePrmJudgesWrongIsRejectedWhole() {
    // min-form: the weakest step decides, wherever it stands
    assertThat(Raft.advantages(1.0, THIRD_WRONG, 10)).containsOnly(0).hasSize(10);
    Steps wrongFirst = new Steps(new int[] {2, 5}, new double[] {-.1, .4});
    assertThat(Raft.advantages(1.0, wrongFirst, 7)).containsOnly(0);
    // a step with reward exactly 0 (a score on the threshold) is not judged right
    Steps onThreshold = new Steps(new int[] {2, 5}, new double[] {.3, 0});
    assertThat(Raft.advantages(1.0, onThreshold, 7)).containsOnly(0);
  }

  @Test
  void aRejectedResponseIsNeverLearnedFromWhateverThePrmSaysOfItsSteps() {
    assertThat(Raft.advantages(0, RIGHT_STEPS, 10)).containsOnly(0);
    assertThat(Raft.advantages(0, THIRD_WRONG, 10)).containsOnly(0);
    assertThat(Raft.advantages(0, Steps.none(), 4)).containsOnly(0);
  }

  @Test
  void aStepBeyondTheResponseIsRejected() {
    assertThatThrownBy(() -> Raft.advantages(0, THIRD_WRONG, 8))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
