package dev.rlflow.core.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResponseTest {
  private static final Prompt PROMPT = new Prompt(1, "p7", "1+2?", "3", new int[] {1, 2});

  @Test
  void arraysAreCopiedInAndOut() {
    int[] tokens = {5, 6, 0};
    float[] logProbs = {-0.1f, -0.2f, -0.3f};
    int[] ends = {1, 2};
    Response r = new Response(PROMPT, tokens, logProbs, ends);
    tokens[0] = 9;
    logProbs[0] = 0;
    ends[0] = 0;
    r.tokens()[1] = 9;
    assertThat(r.tokens()).containsExactly(5, 6, 0);
    assertThat(r.logProbs()).containsExactly(-0.1f, -0.2f, -0.3f);
    assertThat(r.stepEnds()).containsExactly(1, 2);
    double[] rewards = {0.5, -0.5};
    ScoredResponse s = new ScoredResponse(r, true, 1, rewards);
    rewards[0] = 9;
    s.stepRewards()[1] = 9;
    assertThat(s.stepRewards()).containsExactly(0.5, -0.5);
  }

  @Test
  void equalContentsAreEqual() {
    Response a = response();
    Response b = response();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toString()).contains("tokens=[5, 6, 0]", "problemId=p7");
    assertThat(new Prompt(1, "p7", "1+2?", "3", new int[] {1, 2})).isEqualTo(PROMPT);
    assertThat(PROMPT.inGroup(2)).isNotEqualTo(PROMPT);
    ScoredResponse s = new ScoredResponse(a, true, 1, new double[] {0.5, 0});
    assertThat(s)
        .isEqualTo(new ScoredResponse(b, true, 1, new double[] {0.5, 0}))
        .hasSameHashCodeAs(new ScoredResponse(b, true, 1, new double[] {0.5, 0}))
        .isNotEqualTo(s.withSteps(a.stepEnds(), new double[] {0.5, 1}));
    assertThat(ScoredResponse.outcomeOnly(a, false, 0).hasStepRewards()).isFalse();
  }

  @Test
  void invalidValuesAreNamed() {
    assertThatThrownBy(() -> new Prompt(0, "p", "q", "a", new int[0]))
        .hasMessage("Invalid length 0 of tokens: must be >= 1");
    assertThatThrownBy(() -> new Response(PROMPT, new int[] {5, 0}, new float[1], new int[] {1}))
        .hasMessage("Invalid length 1 of logProbs: must equal the response length 2 (>= 1)");
    assertThatThrownBy(() -> new Response(PROMPT, new int[] {5, 0}, new float[2], new int[] {2}))
        .hasMessage("Invalid value [2] for stepEnds: must be strictly increasing and in [0, 2)");
    assertThatThrownBy(() -> new ScoredResponse(response(), true, 1, new double[] {1}))
        .hasMessage("Invalid length 1 of stepRewards: must be 0 or the number of step ends (2)");
    assertThatThrownBy(() -> new ScoredResponse(response(), true, Double.NaN, new double[0]))
        .hasMessage("Invalid value NaN for outcome: must be finite");
  }

  private static Response response() {
    return new Response(
        PROMPT, new int[] {5, 6, 0}, new float[] {-0.1f, -0.2f, -0.3f}, new int[] {1, 2});
  }
}
