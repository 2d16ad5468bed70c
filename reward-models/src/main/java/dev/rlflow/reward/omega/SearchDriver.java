package dev.rlflow.reward.omega;

import dev.rlflow.core.label.ProcessLabel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs many {@link LabelSearch}es against one {@link Completer}, batching their requests: each
 * search is sequential, so throughput comes from answering the pending requests of many searches in
 * one generation call.
 *
 * <p>Searches wait in a queue. A round takes the first searches with a pending request, up to
 * {@code maxRequestsPerCall}, in queue order, answers all their requests with one completer call
 * and moves those still running to the back of the queue, so every search is served within a
 * bounded number of rounds. The order is deterministic, and since a search sees only its own
 * answers, its labels do not depend on the searches it shares calls with.
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class SearchDriver {

  /**
   * Totals over all searches this driver ran.
   *
   * @param rollouts continuations handed to searches
   * @param labels labels passed on
   * @param completerCalls calls to the completer
   * @param questionsDone searches that finished
   * @param questionsFiltered finished searches whose question the pre-filter dropped
   */
  public record Stats(
      long rollouts, long labels, long completerCalls, int questionsDone, int questionsFiltered) {}

  private final Completer completer;
  private final int maxRequestsPerCall;
  private final Deque<LabelSearch> queue = new ArrayDeque<>();
  private long rollouts;
  private long labels;
  private long completerCalls;
  private int questionsDone;
  private int questionsFiltered;

  /**
   * @param completer answers the requests of all searches
   * @param maxRequestsPerCall the most requests one completer call carries, at least 1
   */
  public SearchDriver(Completer completer, int maxRequestsPerCall) {
    this.completer = Objects.requireNonNull(completer, "completer");
    if (maxRequestsPerCall < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + maxRequestsPerCall + " for maxRequestsPerCall: must be >= 1");
    }
    this.maxRequestsPerCall = maxRequestsPerCall;
  }

  /** Queues a search; it runs in the next rounds. */
  public void add(LabelSearch search) {
    queue.addLast(Objects.requireNonNull(search, "search"));
  }

  /** Searches queued and not finished. */
  public int active() {
    return queue.size();
  }

  /**
   * Answers the pending requests of up to {@code maxRequestsPerCall} searches with one completer
   * call, passes the labels they produce to {@code out} and drops the searches that finished.
   *
   * @throws IllegalStateException when the completer's answer does not match the requests
   */
  public void round(Consumer<ProcessLabel> out) {
    List<LabelSearch> served = new ArrayList<>();
    List<RolloutRequest> requests = new ArrayList<>();
    int waiting = queue.size();
    for (int i = 0; i < waiting && served.size() < maxRequestsPerCall; i++) {
      LabelSearch search = queue.pollFirst();
      Optional<RolloutRequest> request = search.pending();
      if (request.isPresent()) {
        served.add(search);
        requests.add(request.get());
      } else {
        finish(search, out);
      }
    }
    if (requests.isEmpty()) {
      return;
    }
    List<List<Continuation>> answers = completer.completeChecked(List.copyOf(requests));
    completerCalls++;
    for (int i = 0; i < served.size(); i++) {
      LabelSearch search = served.get(i);
      search.accept(answers.get(i));
      rollouts += answers.get(i).size();
      pass(search.takeLabels(), out);
      if (search.pending().isPresent()) {
        queue.addLast(search);
      } else {
        finish(search, out);
      }
    }
  }

  /** Runs rounds until every search has finished. */
  public void drain(Consumer<ProcessLabel> out) {
    while (!queue.isEmpty()) {
      round(out);
    }
  }

  public Stats stats() {
    return new Stats(rollouts, labels, completerCalls, questionsDone, questionsFiltered);
  }

  private void finish(LabelSearch search, Consumer<ProcessLabel> out) {
    pass(search.takeLabels(), out);
    questionsDone++;
    if (search.stats().filteredOut()) {
      questionsFiltered++;
    }
  }

  private void pass(List<ProcessLabel> produced, Consumer<ProcessLabel> out) {
    produced.forEach(out);
    labels += produced.size();
  }
}
