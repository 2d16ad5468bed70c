package dev.rlflow.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {
  /** Probabilities 0.1, 0.2, 0.3, 0.4 at temperature 1. */
  private static final float[] LOGITS = {
    (float) Math.log(1), (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)
  };

  private static SamplingParams params(double temperature, int topK, double topP) {
    return new SamplingParams(temperature, topK, topP, 8, Set.of(), List.of());
  }

  @Test
  void logProbIsTheLogSoftmaxAtTheSamplingTemperature() {
    assertThat((double) TokenSampler.logProb(LOGITS, 3, 1)).isCloseTo(Math.log(0.4), within(1e-6));
    assertThat((double) TokenSampler.logProb(LOGITS, 0, 1)).isCloseTo(Math.log(0.1), within(1e-6));
    // At temperature 0.5 the weights are squared: 1, 4, 9, 16 over 30.
    assertThat((double) TokenSampler.logProb(LOGITS, 3, 0.5))
        .isCloseTo(Math.log(16 / 30.0), within(1e-6));
    float[] large = {1000f, 1000f};
    assertThat((double) TokenSampler.logProb(large, 1, 0.7)).isCloseTo(Math.log(0.5), within(1e-6));
  }

  @Test
  void drawsByInverseCdfInTokenOrder() {
    // CDF 0.1, 0.3, 0.6, 1.0: the token is the first whose cumulative mass exceeds u.
    for (long seed = 0; seed < 50; seed++) {
      double u = new SplittableRandom(seed).nextDouble();
      int expected = u < 0.1 ? 0 : u < 0.3 ? 1 : u < 0.6 ? 2 : 3;
      assertThat(TokenSampler.sample(LOGITS, params(1, 0, 1), new SplittableRandom(seed)))
          .as("u = %s", u)
          .isEqualTo(expected);
    }
  }

  @Test
  void temperatureSharpensTheDistribution() {
    // At temperature 0.5 the weights are squared: 1, 4, 9, 16 over 30.
    for (long seed = 0; seed < 50; seed++) {
      double u = new SplittableRandom(seed).nextDouble() * 30;
      int expected = u < 1 ? 0 : u < 5 ? 1 : u < 14 ? 2 : 3;
      assertThat(TokenSampler.sample(LOGITS, params(0.5, 0, 1), new SplittableRandom(seed)))
          .isEqualTo(expected);
    }
  }

  @Test
  void topKAndTopPKeepTheMostLikelyTokens() {
    assertThat(drawn(params(1, 2, 1))).containsExactlyInAnyOrder(2, 3);
    assertThat(drawn(params(1, 0, 0.5))).containsExactlyInAnyOrder(2, 3); // 0.4 < 0.5 <= 0.7
    assertThat(drawn(params(1, 0, 0.35))).containsExactly(3);
    assertThat(drawn(params(1, 3, 0.5))).containsExactlyInAnyOrder(2, 3); // of 0.2/0.3/0.4: 4/9
    assertThat(drawn(params(1, 1, 1))).containsExactly(3);
    assertThat(drawn(params(1, 4, 1))).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  @Test
  void keepingAllTokensWithTopKGivesTheSameDrawsAsNoCut() {
    for (long seed = 0; seed < 20; seed++) {
      assertThat(TokenSampler.sample(LOGITS, params(0.8, 4, 1), new SplittableRandom(seed)))
          .isEqualTo(TokenSampler.sample(LOGITS, params(0.8, 0, 1), new SplittableRandom(seed)));
    }
  }

  @Test
  void greedyTakesTheLowestIdAmongTiesAndDrawsNothing() {
    float[] tied = {0f, 2f, 2f, -1f};
    SplittableRandom random = new SplittableRandom(1);
    assertThat(TokenSampler.sample(tied, SamplingParams.greedy(3), random)).isEqualTo(1);
    assertThat(random.nextLong()).isEqualTo(new SplittableRandom(1).nextLong());
    assertThat(TokenSampler.sample(tied, params(1, 1, 1), new SplittableRandom(2))).isEqualTo(1);
  }

  @Test
  void streamsDependOnlyOnSeedRequestAndSampleIndex() {
    long first = TokenSampler.stream(7, "q", 3).nextLong();
    assertThat(TokenSampler.stream(7, "q", 3).nextLong()).isEqualTo(first);
    assertThat(
            Set.of(
                TokenSampler.stream(8, "q", 3).nextLong(),
                TokenSampler.stream(7, "r", 3).nextLong(),
                TokenSampler.stream(7, "q", 4).nextLong(),
                first))
        .hasSize(4);
  }

  private static Set<Integer> drawn(SamplingParams params) {
    Set<Integer> tokens = new HashSet<>();
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 400; i++) {
      tokens.add(TokenSampler.sample(LOGITS, params, random));
    }
    return tokens;
  }
}
