package dev.rlflow.reward.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.rlflow.core.config.RewardConfig.Aggregation;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The aggregation and selection oracles of ALGORITHMS.md §2, exactly. */
class SelectionTest {
  private static final double[] A = {.9, .8, .95};
  private static final double[] B = {.99, .6};
  private static final double[] A2 = {.7, .7, .7, .9};
  private static final double[] C = {.95, .97};

  @Test
  void aggregatesStepScoresAsTheOracleSays() {
    assertThat(StepAggregation.aggregate(Aggregation.PRODUCT, A)).isCloseTo(.684, within(1e-12));
    assertThat(StepAggregation.aggregate(Aggregation.MIN, A)).isEqualTo(.8);
    assertThat(StepAggregation.aggregate(Aggregation.PRODUCT, B)).isCloseTo(.594, within(1e-12));
    assertThat(StepAggregation.aggregate(Aggregation.MIN, B)).isEqualTo(.6);
    assertThat(StepAggregation.aggregate(Aggregation.PRODUCT, A2)).isCloseTo(.3087, within(1e-12));
    assertThat(StepAggregation.aggregate(Aggregation.MIN, A2)).isEqualTo(.7);
    assertThat(StepAggregation.aggregate(Aggregation.PRODUCT, C)).isCloseTo(.9215, within(1e-12));
    assertThat(StepAggregation.aggregate(Aggregation.MIN, C)).isEqualTo(.95);
    assertThat(StepAggregation.aggregate(Aggregation.LAST, A)).isEqualTo(.95);
    assertThat(StepAggregation.aggregate(Aggregation.LAST, B)).isEqualTo(.6);
  }

  @Test
  void aSolutionWithoutStepsScoresZero() {
    for (Aggregation a : Aggregation.values()) {
      assertThat(StepAggregation.aggregate(a, new double[0])).as(a.name()).isZero();
    }
  }

  /** Answers: A and A2 reach "A", B reaches "B", C reaches "C"; product aggregation. */
  private static List<Selection.Candidate> oracleCandidates() {
    return List.of(candidate("A", A), candidate("B", B), candidate("A", A2), candidate("C", C));
  }

  private static Selection.Candidate candidate(String answer, double[] steps) {
    return new Selection.Candidate(
        Optional.of(answer), StepAggregation.aggregate(Aggregation.PRODUCT, steps));
  }

  @Test
  void weightedSelfConsistencyPicksTheAnswerWithTheLargestScoreSum() {
    // .684 + .3087 = .9927 > .9215
    assertThat(Selection.weightedSelfConsistency(oracleCandidates())).contains("A");
  }

  @Test
  void bestOfNPicksTheHighestScoringSolution() {
    assertThat(Selection.bestOfN(oracleCandidates())).contains("C");
  }

  @Test
  void majorityCountsAnswersAndBreaksTiesByFirstAppearance() {
    assertThat(Selection.majority(oracleCandidates())).contains("A");
    List<Selection.Candidate> tie =
        List.of(
            new Selection.Candidate(Optional.of("7"), 0.1),
            new Selection.Candidate(Optional.of("9"), 0.9));
    assertThat(Selection.majority(tie)).contains("7");
    assertThat(Selection.weightedSelfConsistency(tie)).contains("9");
  }

  @Test
  void solutionsWithoutAnAnswerDoNotVote() {
    List<Selection.Candidate> candidates =
        List.of(
            new Selection.Candidate(Optional.empty(), 0.99),
            new Selection.Candidate(Optional.of("3"), 0.2));
    assertThat(Selection.bestOfN(candidates)).contains("3");
    assertThat(Selection.majority(candidates)).contains("3");
    assertThat(Selection.weightedSelfConsistency(List.of(candidates.get(0)))).isEmpty();
    assertThat(Selection.bestOfN(List.of())).isEmpty();
  }
}
