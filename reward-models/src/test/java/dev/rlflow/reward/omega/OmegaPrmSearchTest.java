package dev.rlflow.reward.omega;

import static dev.rlflow.reward.omega.ScriptedCompleter.VERIFIER;
import static dev.rlflow.reward.omega.ScriptedCompleter.right;
import static dev.rlflow.reward.omega.ScriptedCompleter.wrong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.config.OmegaPrmConfig;
import dev.rlflow.core.label.ProcessLabel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class OmegaPrmSearchTest {
  private static final Question QUESTION = new Question("q7", "What is 2 + 3 * 4?");
  private static final long SEARCH_ID = 41;
  private static final long POLICY_VERSION = 3;

  private static OmegaPrmSearch.Params params(int k, int searchLimit, int prefilter) {
    return new OmegaPrmSearch.Params(0.5, 0.9, 500, 0.125, k, searchLimit, prefilter);
  }

  private static OmegaPrmSearch search(OmegaPrmSearch.Params params) {
    return new OmegaPrmSearch(QUESTION, params, VERIFIER, SEARCH_ID, POLICY_VERSION);
  }

  private static ProcessLabel label(List<String> prefix, String step, double mc, int rollouts) {
    return new ProcessLabel(
        QUESTION.id(), QUESTION.text(), SEARCH_ID, POLICY_VERSION, prefix, step, mc, rollouts);
  }

  private static String[] steps(int m) {
    return IntStream.rangeClosed(1, m).mapToObj(t -> "s" + t).toArray(String[]::new);
  }

  /**
   * The pre-filter yields one correct solution and the wrong solution s1..sm; a probe of the prefix
   * s1..st has one correct rollout of eight iff t < j (the ALGORITHMS.md oracle).
   */
  private static ScriptedCompleter firstErrorAt(int m, int j) {
    return new ScriptedCompleter(
        (request, i) -> {
          int t = request.prefixSteps().size();
          if (t == 0) {
            return i == 0 ? right("c") : wrong(steps(m));
          }
          return i == 0 && t < j ? right("fix") : wrong("y");
        });
  }

  @ParameterizedTest(name = "first error at step {0} of 8 → probes {1}")
  @MethodSource("dev.rlflow.reward.omega.FirstErrorSearchTest#oracle")
  void binarySearchProbesTheOraclePrefixesAndLabelsUpToTheFirstError(int j, List<Integer> probes) {
    ScriptedCompleter completer = firstErrorAt(8, j);
    OmegaPrmSearch search = search(params(8, 1, 2));

    completer.run(search);

    List<Integer> expectedLengths = new ArrayList<>(List.of(0));
    expectedLengths.addAll(probes);
    assertThat(completer.prefixLengths()).containsExactlyElementsOf(expectedLengths);
    // 24 rollouts for the binary search, where per-step Monte Carlo spends k·M = 64.
    assertThat(search.stats().rollouts()).isEqualTo(2 + 24);
    assertThat(search.stats().binarySearches()).isEqualTo(1);
    // Rule (a), the last source: s1..sj. Through s1..si pass the wrong solution and the 8 rollouts
    // of each probe at t >= i; the correct ones are those of the positive probes, t < j.
    List<ProcessLabel> labels = search.takeLabels();
    List<ProcessLabel> expected = new ArrayList<>();
    List<String> prefix = new ArrayList<>();
    for (int i = 1; i <= j; i++) {
      int step = i;
      long through = 1 + 8 * probes.stream().filter(t -> t >= step).count();
      long correct = probes.stream().filter(t -> t >= step && t < j).count();
      expected.add(
          i == 8
              ? label(prefix, "s8", 0.0, 0)
              : label(prefix, "s" + i, (double) correct / through, (int) through));
      prefix.add("s" + i);
    }
    assertThat(labels.subList(labels.size() - j, labels.size()))
        .containsExactlyElementsOf(expected);
    // Rule (b) before it: the pre-filter's correct solution and each positive probe's.
    assertThat(labels).hasSize(1 + (int) probes.stream().filter(t -> t < j).count() + j);
    assertThat(search.stats().labels()).isEqualTo(labels.size());
    assertThat(labels.get(0)).isEqualTo(label(List.of(), "c", 1.0, 1));
  }

  @Test
  void sixteenStepsTakeFourProbes() {
    ScriptedCompleter completer = firstErrorAt(16, 11);

    completer.run(search(params(8, 1, 2)));

    assertThat(completer.prefixLengths()).containsExactly(0, 8, 12, 10, 11);
  }

  @Test
  void locatesRandomFirstErrorsWithLogarithmicallyManyProbes() {
    Random random = new Random(2406_06592L);
    for (int trial = 0; trial < 500; trial++) {
      int m = 1 + random.nextInt(64);
      int j = 1 + random.nextInt(m);
      ScriptedCompleter completer = firstErrorAt(m, j);
      OmegaPrmSearch search = search(params(8, 1, 2));

      completer.run(search);

      List<Integer> probes = completer.prefixLengths().subList(1, completer.calls().size());
      int a = 31 - Integer.numberOfLeadingZeros(m);
      String trialName = "m " + m + ", j " + j;
      assertThat(probes).as(trialName).allMatch(t -> t >= 1 && t < m);
      assertThat(probes.size()).as(trialName).isBetween(a, a + 1);
      assertThat(search.stats().rollouts()).as(trialName).isEqualTo(2 + 8L * probes.size());
      List<ProcessLabel> labels = search.takeLabels();
      ProcessLabel firstError = labels.get(labels.size() - 1);
      assertThat(firstError.step()).as(trialName).isEqualTo("s" + j);
      assertThat(firstError.correct()).as(trialName).isFalse();
      assertThat(labels.subList(labels.size() - j, labels.size() - 1))
          .as(trialName)
          .allMatch(ProcessLabel::correct);
    }
  }

  /**
   * Pre-filter: a,b,c (right) and a,x,y,z (wrong), root MC 1/2. The binary search on a,x,y,z probes
   * [a,x] (both rollouts wrong) and then [a] (one right: b,c), so the first error is x. Trie
   * counts: a 2 of 6, a/b 2 of 2, a/b/c 2 of 2, a/x 0 of 4.
   */
  @Test
  void labelsCorrectRolloutsAndTheSearchedRolloutUpToItsFirstError() {
    ScriptedCompleter completer =
        new ScriptedCompleter(
            (request, i) ->
                switch (String.join("/", request.prefixSteps())) {
                  case "" -> i == 0 ? right("a", "b", "c") : wrong("a", "x", "y", "z");
                  case "a/x" -> i == 0 ? wrong("y", "z") : wrong("q");
                  case "a" -> i == 0 ? right("b", "c") : wrong("x", "w");
                  default -> throw new AssertionError("unexpected request " + request);
                });
    OmegaPrmSearch search = search(params(2, 1, 2));

    completer.run(search);

    assertThat(completer.prefixLengths()).containsExactly(0, 2, 1);
    assertThat(search.takeLabels())
        .containsExactly(
            // (b) the pre-filter's correct rollout
            label(List.of(), "a", 2.0 / 6, 6),
            label(List.of("a"), "b", 1.0, 2),
            label(List.of("a", "b"), "c", 1.0, 2),
            // (b) the correct rollout of the probe [a] takes the same path a/b/c: no new label
            // (a) the searched rollout up to its first error, whose prefix was probed; a is done
            label(List.of("a"), "x", 0.0, 4));
    assertThat(search.stats()).isEqualTo(new SearchStats(6, 4, 1, false));
    assertThat(search.takeLabels()).isEmpty();
  }

  @Test
  void anUnprobedLastStepErrorIsLabelledZeroOverZeroRollouts() {
    ScriptedCompleter completer =
        new ScriptedCompleter(
            (request, i) ->
                request.prefixSteps().isEmpty()
                    ? (i == 0 ? right("a") : wrong("a", "b"))
                    : (i == 0 ? right("c") : right("d")));
    OmegaPrmSearch search = search(params(2, 10, 2));

    completer.run(search);

    // The probe [a] has MC 1, so its rollouts do not join the pool and the search ends.
    assertThat(search.takeLabels())
        .containsExactly(
            label(List.of(), "a", 0.75, 4),
            label(List.of("a"), "c", 1.0, 1),
            label(List.of("a"), "d", 1.0, 1),
            label(List.of("a"), "b", 0.0, 0));
    assertThat(search.stats()).isEqualTo(new SearchStats(4, 4, 1, false));
  }

  @Test
  void rolloutsWithoutStepsCostASearchAndOneStepRolloutsNoProbe() {
    ScriptedCompleter completer =
        new ScriptedCompleter((request, i) -> List.of(right("a"), wrong(), wrong("b")).get(i));
    OmegaPrmSearch search = search(params(8, 5, 3));

    completer.run(search);

    assertThat(completer.calls()).hasSize(1);
    assertThat(search.takeLabels())
        .containsExactly(label(List.of(), "a", 1.0, 1), label(List.of(), "b", 0.0, 0));
    assertThat(search.stats()).isEqualTo(new SearchStats(3, 2, 2, false));
  }

  @Test
  void stopsAtTheSearchLimit() {
    // Every probe is mixed, so the pool never runs dry.
    ScriptedCompleter completer =
        new ScriptedCompleter((request, i) -> i == 0 ? right("r") : wrong("w1", "w2", "w3"));
    OmegaPrmSearch search = search(params(4, 7, 4));

    completer.run(search);

    assertThat(search.stats().binarySearches()).isEqualTo(7);
    // Each binary search ends after one probe: its first two steps have MC 1/4 > 0.
    assertThat(search.stats().rollouts()).isEqualTo(4 + 7 * 4);
  }

  @ParameterizedTest(name = "all pre-filter rollouts {0}")
  @CsvSource({"right", "wrong"})
  void dropsQuestionsThePreFilterFindsUniform(String outcome) {
    ScriptedCompleter completer =
        new ScriptedCompleter(
            (request, i) -> outcome.equals("right") ? right("a", "b") : wrong("a", "b"));
    OmegaPrmSearch search = search(params(8, 100, 32));

    completer.run(search);

    assertThat(completer.calls()).hasSize(1);
    assertThat(search.pending()).isEmpty();
    assertThat(search.takeLabels()).isEmpty();
    assertThat(search.stats()).isEqualTo(new SearchStats(32, 0, 0, true));
  }

  @Test
  void firstRequestIsThePreFilterFromTheQuestion() {
    assertThat(search(OmegaPrmSearch.Params.defaults()).pending())
        .contains(new RolloutRequest(QUESTION, List.of(), 32));
  }

  @Test
  void rejectsAnswersThatBreakTheProtocol() {
    OmegaPrmSearch search = search(params(8, 1, 2));

    assertThatThrownBy(() -> search.accept(List.of(right("a"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Expected 2 continuations for the pending request of question q7, got 1");
    search.accept(List.of(right("a"), right("b")));
    assertThatThrownBy(() -> search.accept(List.of(right("a"), right("b"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("No request is pending: the search of question q7 is done");
  }

  @Test
  void defaultsAreThePapers() {
    assertThat(OmegaPrmSearch.Params.defaults())
        .isEqualTo(new OmegaPrmSearch.Params(0.5, 0.9, 500, 0.125, 8, 100, 32));
  }

  @Test
  void paramsComeFromTheRunConfiguration() {
    OmegaPrmConfig config = new OmegaPrmConfig(200, 0.4, 0.8, 300, 0.2, 4, 50, 16, 4, 32, 1.0);

    assertThat(OmegaPrmSearch.Params.of(config))
        .isEqualTo(new OmegaPrmSearch.Params(0.4, 0.8, 300, 0.2, 4, 50, 16));
  }

  @ParameterizedTest(name = "{7}")
  @CsvSource(
      delimiter = ';',
      value = {
        "0.0; 0.9; 500; 0.125; 8; 100; 32; Invalid value 0.0 for alpha: must be in (0, 1]",
        "0.5; 1.5; 500; 0.125; 8; 100; 32; Invalid value 1.5 for beta: must be in (0, 1]",
        "0.5; 0.9;   0; 0.125; 8; 100; 32; Invalid value 0 for lengthScale: must be >= 1",
        "0.5; 0.9; 500;  -1.0; 8; 100; 32; Invalid value -1.0 for cPuct: must be a finite number >= 0",
        "0.5; 0.9; 500;   NaN; 8; 100; 32; Invalid value NaN for cPuct: must be a finite number >= 0",
        "0.5; 0.9; 500; 0.125; 0; 100; 32; Invalid value 0 for rolloutsPerEstimate: must be >= 1",
        "0.5; 0.9; 500; 0.125; 8;   0; 32; Invalid value 0 for searchLimit: must be >= 1",
        "0.5; 0.9; 500; 0.125; 8; 100;  0; Invalid value 0 for prefilterRollouts: must be >= 1"
      })
  void rejectsInvalidParams(
      double alpha,
      double beta,
      int lengthScale,
      double cPuct,
      int k,
      int searchLimit,
      int prefilter,
      String message) {
    assertThatThrownBy(
            () ->
                new OmegaPrmSearch.Params(
                    alpha, beta, lengthScale, cPuct, k, searchLimit, prefilter))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
