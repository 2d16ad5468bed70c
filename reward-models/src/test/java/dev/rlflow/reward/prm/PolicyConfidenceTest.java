package dev.rlflow.reward.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicyConfidenceTest {

  /**
   * Steps "ab\n" and "cd\n" and "e\n": tokens 0-1, 3-4 and 6 with tags 2, 5 and 7. The tags' own
   * log-probs (-9) never count; the minimum carries over to later steps.
   */
  @Test
  void theMinimumOverTheStepsSoFarWithoutTheirTags() {
    float[] logProbs = {-0.5f, -0.1f, -9f, -0.2f, -2f, -9f, -0.3f, -9f};
    assertThat(PolicyConfidence.prefixMin(logProbs, new int[] {2, 5, 7}))
        .containsExactly(-0.5, -2.0, -2.0);
  }

  @Test
  void aStepOfOnlyItsTagIsCertain() {
    assertThat(PolicyConfidence.prefixMin(new float[] {-4f}, new int[] {0})).containsExactly(0.0);
    assertThat(PolicyConfidence.prefixMin(new float[0], new int[0])).isEmpty();
  }

  @Test
  void tagsOutsideTheResponseAreRejected() {
    assertThatThrownBy(() -> PolicyConfidence.prefixMin(new float[] {-1f, -1f}, new int[] {2}))
        .hasMessageContaining("Invalid value 2 for tags[0]");
    assertThatThrownBy(
            () -> PolicyConfidence.prefixMin(new float[] {-1f, -1f, -1f}, new int[] {1, 1}))
        .hasMessageContaining("tags[1]");
  }
}
