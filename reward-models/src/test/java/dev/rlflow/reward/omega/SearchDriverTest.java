package dev.rlflow.reward.omega;

import static dev.rlflow.reward.omega.ScriptedCompleter.right;
import static dev.rlflow.reward.omega.ScriptedCompleter.wrong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.label.ProcessLabel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SearchDriverTest {
  private static final OmegaPrmSearch.Params PARAMS =
      new OmegaPrmSearch.Params(0.5, 0.9, 500, 0.125, 4, 10, 8);

  /**
   * OmegaPRM for even questions, per-step Monte Carlo for odd ones: one search per question, since
   * a question's rollouts come from one random stream.
   */
  private static List<LabelSearch> searches(ArithChainPolicy policy) {
    List<LabelSearch> searches = new ArrayList<>();
    for (ArithChainPolicy.Chain chain : policy.chains()) {
      long id = searches.size();
      searches.add(
          id % 2 == 0
              ? new OmegaPrmSearch(chain.question(), PARAMS, chain.verifier(), id, 1)
              : new PerStepMonteCarlo(chain.question(), PARAMS, chain.verifier(), id, 1));
    }
    return searches;
  }

  @Test
  void batchedSearchesLabelExactlyAsSearchesRunAlone() {
    ArithChainPolicy alonePolicy = new ArithChainPolicy(12, 17);
    List<ProcessLabel> alone = new ArrayList<>();
    List<SearchStats> aloneStats = new ArrayList<>();
    for (LabelSearch search : searches(alonePolicy)) {
      SearchDriver driver = new SearchDriver(alonePolicy, 1);
      driver.add(search);
      driver.drain(alone::add);
      aloneStats.add(search.stats());
    }
    ArithChainPolicy sharedPolicy = new ArithChainPolicy(12, 17);
    List<LabelSearch> shared = searches(sharedPolicy);
    CountingCompleter counting = new CountingCompleter(sharedPolicy);
    SearchDriver driver = new SearchDriver(counting, 5);
    shared.forEach(driver::add);
    List<ProcessLabel> batched = new ArrayList<>();

    driver.drain(batched::add);

    assertThat(batched).containsExactlyInAnyOrderElementsOf(alone);
    assertThat(bySearch(batched)).isEqualTo(bySearch(alone));
    assertThat(shared.stream().map(LabelSearch::stats).toList()).isEqualTo(aloneStats);
    assertThat(counting.sizes).allMatch(size -> size >= 1 && size <= 5);
    assertThat(counting.sizes.get(0)).isEqualTo(5);
    long rollouts = aloneStats.stream().mapToLong(SearchStats::rollouts).sum();
    long filtered = aloneStats.stream().filter(SearchStats::filteredOut).count();
    assertThat(driver.stats())
        .isEqualTo(
            new SearchDriver.Stats(
                rollouts, alone.size(), counting.sizes.size(), 12, (int) filtered));
    assertThat(driver.active()).isZero();
  }

  @Test
  void servesSearchesRoundRobinInOneCallPerRound() {
    ScriptedCompleter completer =
        new ScriptedCompleter((request, i) -> i == 0 ? right("r") : wrong("w1", "w2", "w3", "w4"));
    SearchDriver driver = new SearchDriver(completer, 2);
    for (String id : List.of("a", "b", "c")) {
      driver.add(
          new OmegaPrmSearch(
              new Question(id, id), PARAMS, ScriptedCompleter.VERIFIER, id.charAt(0), 1));
    }

    driver.round(label -> {});
    driver.round(label -> {});
    driver.round(label -> {});

    assertThat(completer.calls())
        .extracting(call -> call.stream().map(request -> request.question().id()).toList())
        .containsExactly(List.of("a", "b"), List.of("c", "a"), List.of("b", "c"));
    assertThat(completer.calls().get(0)).allMatch(request -> request.prefixSteps().isEmpty());
    assertThat(driver.active()).isEqualTo(3);
  }

  @Test
  void dropsFinishedSearchesAndCountsFilteredQuestions() {
    ScriptedCompleter completer = new ScriptedCompleter((request, i) -> right("a"));
    SearchDriver driver = new SearchDriver(completer, 8);
    driver.add(
        new OmegaPrmSearch(
            new Question("easy", "1 + 0?"), PARAMS, ScriptedCompleter.VERIFIER, 1, 1));

    driver.drain(label -> {});

    assertThat(driver.active()).isZero();
    assertThat(driver.stats()).isEqualTo(new SearchDriver.Stats(8, 0, 1, 1, 1));
  }

  @Test
  void rejectsAnAnswerOfTheWrongShape() {
    assertThatThrownBy(() -> roundWith(requests -> List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("The completer returned 0 answers for 1 requests");
    assertThatThrownBy(() -> roundWith(requests -> List.of(List.of(right("a")))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "The completer returned 1 continuations for request 0 (question q, prefix of 0"
                + " steps), which asked for 8");
  }

  @Test
  void rejectsANonPositiveBatchSize() {
    assertThatThrownBy(() -> new SearchDriver(requests -> List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0 for maxRequestsPerCall: must be >= 1");
  }

  private static void roundWith(Function<List<RolloutRequest>, List<List<Continuation>>> answer) {
    SearchDriver driver = new SearchDriver(answer::apply, 4);
    driver.add(
        new OmegaPrmSearch(new Question("q", "?"), PARAMS, ScriptedCompleter.VERIFIER, 1, 1));
    driver.round(label -> {});
  }

  private static List<List<ProcessLabel>> bySearch(List<ProcessLabel> labels) {
    long searches = labels.stream().mapToLong(ProcessLabel::searchId).max().orElse(-1) + 1;
    List<List<ProcessLabel>> grouped = new ArrayList<>();
    for (long id = 0; id < searches; id++) {
      long searchId = id;
      grouped.add(labels.stream().filter(label -> label.searchId() == searchId).toList());
    }
    return grouped;
  }

  /** Passes calls on and records how many requests each carried. */
  private static final class CountingCompleter implements Completer {
    private final Completer delegate;
    private final List<Integer> sizes = new ArrayList<>();

    CountingCompleter(Completer delegate) {
      this.delegate = delegate;
    }

    @Override
    public List<List<Continuation>> complete(List<RolloutRequest> requests) {
      sizes.add(requests.size());
      return delegate.complete(requests);
    }
  }
}
