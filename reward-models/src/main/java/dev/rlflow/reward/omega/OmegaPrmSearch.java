package dev.rlflow.reward.omega;

import dev.rlflow.core.config.OmegaPrmConfig;
import dev.rlflow.core.label.ProcessLabel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Process labels for one question by OmegaPRM's divide-and-conquer Monte Carlo tree search (Luo et
 * al. 2024, "Improve Mathematical Reasoning in Language Models by Automated Process Supervision",
 * arXiv 2406.06592; ALGORITHMS.md §1).
 *
 * <p><b>Search.</b> The first request is {@code prefilterRollouts} rollouts from the question; the
 * question is dropped ({@link SearchStats#filteredOut()}, no labels) unless some are correct and
 * some wrong. The question is the root state, MC = correct / rollouts. Wrong rollouts of a state
 * with 0 &lt; MC &lt; 1 form the candidate pool. Each round pops the candidate with the highest Q +
 * U ({@link SelectionScore}), adds 1 to N of its state and locates the rollout's first wrong step
 * by binary search ({@link FirstErrorSearch}): each probe is one request of k rollouts from a
 * prefix of the rollout, becomes a tree state with its MC, and, when 0 &lt; MC &lt; 1, adds its
 * wrong rollouts to the pool. The search ends after {@code searchLimit} binary searches or when the
 * pool is empty. A rollout without steps (only an answer line) has no step to blame: its binary
 * search is counted and yields nothing.
 *
 * <p><b>Labels</b> (decided for rlflow). Every rollout of the question is counted in a {@link
 * RolloutTrie} of paths from the question (the prefix a rollout continued, then its own steps), so
 * that a prefix's value pools all rollouts whose path went through it. When the search ends, so
 * that values are final, it emits labels from two kinds of source, in the order they arose, each
 * path (prefix and step) once: a path already labelled by an earlier source is skipped:
 *
 * <ol type="a">
 *   <li>each binary search: every step of the searched rollout up to and including its first error.
 *       A step before the error gets the trie estimate of the prefix ending with it (positive: a
 *       probe at or after it had a correct rollout, whose path passes it); the first error gets its
 *       trie estimate when its prefix was probed (0 unless another rollout through it was correct),
 *       and value 0 over 0 rollouts when it is the unprobed last step, judged by the rollout's own
 *       outcome;
 *   <li>each correct rollout, of the pre-filter and of probes: every one of its steps, with the
 *       trie estimate of the prefix ending with it.
 * </ol>
 *
 * A label's {@code prefixSteps} is the whole path from the question: the state's steps, then the
 * rollout's steps before the labelled one; its {@code rollouts} is the trie count of the prefix
 * ending with the labelled step.
 *
 * <p>The search asks for one request at a time; a {@link SearchDriver} runs many concurrently.
 */
public final class OmegaPrmSearch implements LabelSearch {

  /**
   * The search's settings, defaults from the paper.
   *
   * @param alpha Q's base for the Monte Carlo term, α^(1 − MC), in (0, 1]
   * @param beta Q's base for the length term, β^(len / L), in (0, 1]
   * @param lengthScale L, in tokens, at least 1
   * @param cPuct exploration weight of U, at least 0
   * @param rolloutsPerEstimate k, rollouts per probe, at least 1
   * @param searchLimit binary searches per question, at least 1
   * @param prefilterRollouts rollouts from the question that decide whether it is searched, at
   *     least 1
   */
  public record Params(
      double alpha,
      double beta,
      int lengthScale,
      double cPuct,
      int rolloutsPerEstimate,
      int searchLimit,
      int prefilterRollouts) {

    public Params {
      requireInUnitInterval("alpha", alpha);
      requireInUnitInterval("beta", beta);
      requireAtLeastOne("lengthScale", lengthScale);
      if (!(cPuct >= 0.0) || Double.isInfinite(cPuct)) {
        throw new IllegalArgumentException(
            "Invalid value " + cPuct + " for cPuct: must be a finite number >= 0");
      }
      requireAtLeastOne("rolloutsPerEstimate", rolloutsPerEstimate);
      requireAtLeastOne("searchLimit", searchLimit);
      requireAtLeastOne("prefilterRollouts", prefilterRollouts);
    }

    /** α 0.5, β 0.9, L 500, c_puct 0.125, k 8, 100 binary searches, 32 pre-filter rollouts. */
    public static Params defaults() {
      return new Params(0.5, 0.9, 500, 0.125, 8, 100, 32);
    }

    /** The settings of a run configuration's {@code omega_prm} section. */
    public static Params of(OmegaPrmConfig config) {
      return new Params(
          config.alpha(),
          config.beta(),
          config.lengthScale(),
          config.cPuct(),
          config.rolloutsPerEstimate(),
          config.searchLimit(),
          config.prefilterRollouts());
    }

    private static void requireInUnitInterval(String name, double value) {
      if (!(value > 0.0 && value <= 1.0)) {
        throw new IllegalArgumentException(
            "Invalid value " + value + " for " + name + ": must be in (0, 1]");
      }
    }

    private static void requireAtLeastOne(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(
            "Invalid value " + value + " for " + name + ": must be >= 1");
      }
    }
  }

  /** A binary search in progress: the selected candidate and where its first error may lie. */
  private record BinarySearch(CandidatePool.Candidate candidate, FirstErrorSearch firstError) {
    List<String> prefix(int steps) {
      return concat(candidate.state().steps(), candidate.rollout().steps().subList(0, steps));
    }

    LabelSpan labelSpan() {
      int error = firstError.firstError();
      return new LabelSpan(
          candidate.state().steps(),
          candidate.rollout().steps().subList(0, error + 1),
          firstError.firstErrorProbed() ? Ending.PROBED_ERROR : Ending.UNPROBED_ERROR);
    }
  }

  /** How the last step of a {@link LabelSpan} is known. */
  private enum Ending {
    /** A correct rollout: every step reaches the answer. */
    REACHES_ANSWER,
    /** The first error, whose prefix was probed. */
    PROBED_ERROR,
    /** The first error is the rollout's last step, judged by its outcome without a probe. */
    UNPROBED_ERROR
  }

  /** Steps of one rollout to label when the search ends, after the state's {@code base} steps. */
  private record LabelSpan(List<String> base, List<String> steps, Ending ending) {}

  private final Params params;
  private final SearchLedger ledger;
  private final RolloutTrie trie = new RolloutTrie();
  private final Map<List<String>, TreeState> states = new HashMap<>();
  private final CandidatePool pool;
  private final List<LabelSpan> spans = new ArrayList<>();
  private BinarySearch current;
  private int binarySearches;

  /**
   * Starts a search; its first request is the pre-filter.
   *
   * @param searchId identifies this search in its labels
   * @param policyVersion the version of the policy behind the completer, recorded in the labels
   */
  public OmegaPrmSearch(
      Question question,
      Params params,
      SolutionVerifier verifier,
      long searchId,
      long policyVersion) {
    this.params = Objects.requireNonNull(params, "params");
    this.ledger =
        new SearchLedger(question, params.prefilterRollouts(), verifier, searchId, policyVersion);
    this.pool = new CandidatePool(params);
  }

  @Override
  public Optional<RolloutRequest> pending() {
    return ledger.pending();
  }

  @Override
  public void accept(List<Continuation> continuations) {
    RolloutBatch batch = ledger.answer(continuations);
    if (ledger.done()) {
      return; // the pre-filter dropped the question
    }
    record(batch);
    if (current != null) {
      current.firstError().record(batch.correct() > 0);
    }
    advance();
  }

  @Override
  public List<ProcessLabel> takeLabels() {
    return ledger.takeLabels();
  }

  @Override
  public SearchStats stats() {
    return ledger.stats(binarySearches);
  }

  /** Adds the rollouts of one request to the tree, the trie, the pool and the label sources. */
  private void record(RolloutBatch batch) {
    List<String> prefix = batch.request().prefixSteps();
    TreeState state = states.computeIfAbsent(prefix, TreeState::new);
    state.record(batch);
    for (JudgedRollout rollout : batch.rollouts()) {
      trie.add(concat(prefix, rollout.steps()), rollout.correct());
      if (rollout.correct()) {
        spans.add(new LabelSpan(prefix, rollout.steps(), Ending.REACHES_ANSWER));
      } else if (batch.mixed()) {
        pool.add(state, rollout);
      }
    }
  }

  /** Runs the search up to its next request, or to its end. */
  private void advance() {
    while (true) {
      if (current != null) {
        OptionalInt probe = current.firstError().nextProbe();
        if (probe.isPresent()) {
          ledger.request(current.prefix(probe.getAsInt()), params.rolloutsPerEstimate());
          return;
        }
        spans.add(current.labelSpan());
        current = null;
      }
      if (binarySearches == params.searchLimit() || pool.isEmpty()) {
        finish();
        return;
      }
      // Σ N over the tree is the number of selections so far: each adds 1 to one state's N.
      CandidatePool.Candidate selected = pool.pop(binarySearches);
      selected.state().visit();
      binarySearches++;
      int steps = selected.rollout().steps().size();
      if (steps > 0) {
        current = new BinarySearch(selected, new FirstErrorSearch(steps));
      }
    }
  }

  private void finish() {
    ledger.finish();
    for (LabelSpan span : spans) {
      emit(span);
    }
    spans.clear();
  }

  private void emit(LabelSpan span) {
    List<String> path = new ArrayList<>(span.base());
    for (int i = 0; i < span.steps().size(); i++) {
      String step = span.steps().get(i);
      List<String> prefix = List.copyOf(path);
      path.add(step);
      boolean last = i == span.steps().size() - 1;
      if (last && span.ending() == Ending.UNPROBED_ERROR) {
        ledger.label(prefix, step, 0.0, 0);
        continue;
      }
      RolloutTrie.Counts counts = trie.at(path);
      if (counts.correct() == 0 && !(last && span.ending() == Ending.PROBED_ERROR)) {
        throw new IllegalStateException(
            "No correct rollout passed step "
                + path.size()
                + " of a path of question "
                + ledger.question().id()
                + ", yet it belongs to a correct rollout or precedes a probe with one: "
                + path);
      }
      ledger.label(prefix, step, counts.mc(), counts.through());
    }
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> joined = new ArrayList<>(first.size() + second.size());
    joined.addAll(first);
    joined.addAll(second);
    return joined;
  }
}
