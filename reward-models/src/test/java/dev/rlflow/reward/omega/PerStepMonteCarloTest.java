package dev.rlflow.reward.omega;

import static dev.rlflow.reward.omega.ScriptedCompleter.VERIFIER;
import static dev.rlflow.reward.omega.ScriptedCompleter.right;
import static dev.rlflow.reward.omega.ScriptedCompleter.wrong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.label.ProcessLabel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PerStepMonteCarloTest {
  private static final Question QUESTION = new Question("q2", "What is 6 / 3 + 1?");

  private static OmegaPrmSearch.Params params(int k, int prefilter) {
    return new OmegaPrmSearch.Params(0.5, 0.9, 500, 0.125, k, 100, prefilter);
  }

  private static ProcessLabel label(List<String> prefix, String step, double mc, int rollouts) {
    return new ProcessLabel(QUESTION.id(), QUESTION.text(), 5, 9, prefix, step, mc, rollouts);
  }

  @Test
  void labelsEveryStepOfTheFirstSolutionsWithItsMonteCarloValue() {
    ScriptedCompleter completer =
        new ScriptedCompleter(
            (request, i) ->
                switch (String.join("/", request.prefixSteps())) {
                  case "" ->
                      List.of(right("a", "b", "c"), wrong("a", "x"), right("z"), wrong("q")).get(i);
                  case "a" -> i == 0 ? right("b", "c") : wrong("x");
                  case "a/b" -> right("c");
                  default -> throw new AssertionError("unexpected request " + request);
                });
    PerStepMonteCarlo search = new PerStepMonteCarlo(QUESTION, params(2, 4), 2, VERIFIER, 5, 9);

    completer.run(search);

    assertThat(completer.prefixLengths()).containsExactly(0, 1, 2, 1);
    assertThat(search.takeLabels())
        .containsExactly(
            label(List.of(), "a", 0.5, 2),
            label(List.of("a"), "b", 1.0, 2),
            label(List.of("a", "b"), "c", 1.0, 0),
            // the second solution's "a" was probed again but keeps the first label
            label(List.of("a"), "x", 0.0, 0));
    // The pre-filter, then k·(M − 1) for each solution: 4 + 2·(2 + 1).
    assertThat(search.stats()).isEqualTo(new SearchStats(10, 4, 0, false));
  }

  @Test
  void spendsPrefilterPlusKRolloutsForAllButTheLastStepOfEachSolution() {
    Random random = new Random(2312_08935L);
    for (int trial = 0; trial < 50; trial++) {
      int[] lengths = IntStream.range(0, 6).map(i -> random.nextInt(9)).toArray();
      ScriptedCompleter completer =
          new ScriptedCompleter(
              (request, i) -> {
                if (!request.prefixSteps().isEmpty()) {
                  return right("r");
                }
                String[] steps =
                    IntStream.range(0, lengths[i]).mapToObj(t -> "s" + t).toArray(String[]::new);
                return i == 0 ? right(steps) : wrong(steps);
              });
      PerStepMonteCarlo search = new PerStepMonteCarlo(QUESTION, params(8, 6), VERIFIER, 5, 9);

      completer.run(search);

      // The default four solutions; one without steps costs and yields nothing.
      int probedSteps = IntStream.of(lengths).limit(4).map(m -> Math.max(m - 1, 0)).sum();
      // Every solution's steps are s0, s1, …: the longest holds every distinct path.
      int labelledSteps = IntStream.of(lengths).limit(4).max().orElseThrow();
      assertThat(search.stats())
          .as("solution lengths %s", Arrays.toString(lengths))
          .isEqualTo(new SearchStats(6 + 8L * probedSteps, labelledSteps, 0, false));
      assertThat(search.takeLabels()).hasSize(labelledSteps);
    }
  }

  @Test
  void labelsAsManySolutionsAsThePrefilterHas() {
    ScriptedCompleter completer =
        new ScriptedCompleter(
            (request, i) ->
                request.prefixSteps().isEmpty() ? List.of(right("a"), wrong("b")).get(i) : null);
    PerStepMonteCarlo search = new PerStepMonteCarlo(QUESTION, params(8, 2), 4, VERIFIER, 5, 9);

    completer.run(search);

    assertThat(search.takeLabels())
        .containsExactly(label(List.of(), "a", 1.0, 0), label(List.of(), "b", 0.0, 0));
    assertThat(search.stats()).isEqualTo(new SearchStats(2, 2, 0, false));
  }

  @Test
  void dropsQuestionsThePreFilterFindsUniform() {
    ScriptedCompleter completer = new ScriptedCompleter((request, i) -> wrong("a", "b"));
    PerStepMonteCarlo search = new PerStepMonteCarlo(QUESTION, params(8, 32), VERIFIER, 5, 9);

    completer.run(search);

    assertThat(completer.calls()).hasSize(1);
    assertThat(search.takeLabels()).isEmpty();
    assertThat(search.stats()).isEqualTo(new SearchStats(32, 0, 0, true));
  }

  @Test
  void rejectsInvalidArguments() {
    assertThatThrownBy(() -> new PerStepMonteCarlo(QUESTION, params(8, 32), 0, VERIFIER, 5, 9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0 for solutions: must be >= 1");
    PerStepMonteCarlo search = new PerStepMonteCarlo(QUESTION, params(8, 2), VERIFIER, 5, 9);
    assertThatThrownBy(() -> search.accept(List.of(right("a"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Expected 2 continuations for the pending request of question q2, got 1");
  }
}
