package dev.rlflow.reward.response;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.RewardConfig;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.tokenizer.CharTokenizer;
import dev.rlflow.reward.prm.StepSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResponseRewardsTest {
  private static final CharTokenizer TOKENIZER = new CharTokenizer();
  private static final RewardConfig CONFIG =
      new RewardConfig(
          RewardConfig.Verifier.ANSWER,
          Optional.empty(),
          RewardConfig.Aggregation.PRODUCT,
          2.0,
          0.5,
          Optional.empty());
  private static final Prompt PROMPT = new Prompt(0, "p1", "1+2?", "3", new int[] {1});

  @Test
  void outcomeRewardIsTheWeightWhenTheVerifierAccepts() {
    List<ScoredResponse> scored =
        ResponseRewards.outcomeOnly(CONFIG, TOKENIZER)
            .score(List.of(response("1+2=3\nanswer: 3"), response("1+2=4\nanswer: 4")));
    assertThat(scored).extracting(ScoredResponse::correct).containsExactly(true, false);
    assertThat(scored).extracting(ScoredResponse::outcome).containsExactly(2.0, 0.0);
    assertThat(scored).noneMatch(ScoredResponse::hasStepRewards);
  }

  @Test
  void stepRewardsAreTheWeightedScoresCentredOnTheThresholdAndBlankSegmentsAreNoSteps() {
    List<List<StepSequence>> calls = new ArrayList<>();
    ResponseRewards rewards =
        ResponseRewards.withSteps(
            CONFIG,
            TOKENIZER,
            sequences -> {
              calls.add(sequences);
              return new double[][] {{0.9, 0.1}};
            },
            0.6);
    // two steps and a blank final segment (the newline after the answer line ends a step)
    Response r = response("1+2=3\nanswer: 3\n\n");
    List<ScoredResponse> scored = rewards.score(List.of(r));
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).get(0).steps()).isEqualTo(2);
    // The blank segment (the final newline alone) is no step: process GRPO would count it in the
    // group's step statistics, a 0 pulling the mean toward it (ALGORITHMS.md §3).
    assertThat(scored.get(0).stepRewards()).containsExactly(0.5 * (0.9 - 0.6), 0.5 * (0.1 - 0.6));
    assertThat(scored.get(0).response().stepEnds()).containsExactly(5, 15);
    assertThat(scored.get(0).response().tokens()).isEqualTo(r.tokens());
    assertThat(scored.get(0).outcome()).isEqualTo(2.0);
  }

  /** {@code text} as a response whose steps end at each newline and at the last character. */
  private static Response response(String text) {
    int[] tokens = TOKENIZER.encode(text);
    List<Integer> ends = new ArrayList<>();
    for (int t = 0; t < tokens.length; t++) {
      if (text.charAt(t) == '\n' || t == tokens.length - 1) {
        ends.add(t);
      }
    }
    return new Response(
        PROMPT,
        tokens,
        new float[tokens.length],
        ends.stream().mapToInt(Integer::intValue).toArray());
  }
}
