package dev.rlflow.jobs.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.RewardConfig.Aggregation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectionTableTest {

  private static SelectionSample sample(String answer, boolean correct, double... steps) {
    boolean[] truth = new boolean[steps.length];
    for (int t = 0; t < steps.length; t++) {
      truth[t] = correct; // a right sample is right throughout, a wrong one wrong throughout
    }
    return new SelectionSample(answer, correct, truth, Map.of("soft", steps));
  }

  /**
   * The ALGORITHMS.md §2 oracle as one problem: solutions A [.9,.8,.95] and A' [.7,.7,.7,.9] reach
   * the right answer "a", B [.99,.6] and C [.95,.97] wrong ones. Weighted SC (product) picks a,
   * best-of-N (product) picks C; eight samples, padded with answerless ones.
   */
  private static SelectionResult oracleProblem() {
    List<SelectionSample> samples = new ArrayList<>();
    samples.add(sample("a", true, .9, .8, .95));
    samples.add(sample("b", false, .99, .6));
    samples.add(sample("a", true, .7, .7, .7, .9));
    samples.add(sample("c", false, .95, .97));
    for (int i = 0; i < 4; i++) {
      samples.add(sample(null, false));
    }
    return new SelectionResult("p1", false, samples);
  }

  @Test
  void aggregatesTheOracleProblem() {
    SelectionTable table =
        SelectionTable.of(
            List.of(oracleProblem()),
            List.of(8),
            "soft",
            Aggregation.PRODUCT,
            Map.of("soft", 0.75));
    Map<String, Double> n8 = table.byN().get(8);
    assertThat(n8.get("greedy")).isZero();
    assertThat(n8.get("majority")).isEqualTo(1.0); // a has two votes
    assertThat(n8.get("weighted_sc")).isEqualTo(1.0);
    assertThat(n8.get("best_of_n_product")).isZero(); // C
    assertThat(n8.get("best_of_n_min")).isZero(); // C: min .95
    assertThat(n8.get("best_of_n_last")).isZero(); // C: last .97
    assertThat(n8.get("pass_at_n")).isEqualTo(1.0);
    // Steps above 0.75 called correct: A 3 of 3 agree, B 1 of 2, A' 1 of 4, C 0 of 2 → 5 / 11.
    assertThat(table.prmStepAccuracy().get("soft")).isEqualTo(5.0 / 11);
    assertThat(table.prmStepAccuracy().get("hard")).isNull();
  }
}
