package dev.rlflow.reward.omega;

import dev.rlflow.core.label.ProcessLabel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The bookkeeping every label search shares: the pending request and the {@link LabelSearch}
 * protocol around it, the pre-filter, the rollouts spent and the labels produced.
 *
 * <p>The first request is the pre-filter: {@code prefilterRollouts} rollouts from the question,
 * which drop it unless some are correct and some wrong (OmegaPRM, ALGORITHMS.md §1). Keeping that
 * rule in one place lets OmegaPRM and its baseline label the same questions.
 *
 * <p>A step is labelled at most once per search: the first label of a path (prefix and step) is
 * kept and later ones are dropped. Several rollouts often share a path (the policy writes the same
 * first steps again and again); repeating its label would weight it in PRM training by how often it
 * was sampled and would count one piece of supervision many times in labels per rollout.
 */
final class SearchLedger {
  private final Question question;
  private final SolutionVerifier verifier;
  private final long searchId;
  private final long policyVersion;
  private final List<ProcessLabel> untaken = new ArrayList<>();
  private final Set<List<String>> labelledPaths = new HashSet<>();
  private RolloutRequest pending;
  private boolean prefiltered;
  private boolean filteredOut;
  private long rollouts;
  private long labels;

  SearchLedger(
      Question question,
      int prefilterRollouts,
      SolutionVerifier verifier,
      long searchId,
      long policyVersion) {
    this.question = Objects.requireNonNull(question, "question");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.searchId = searchId;
    this.policyVersion = policyVersion;
    this.pending = new RolloutRequest(question, List.of(), prefilterRollouts);
  }

  Optional<RolloutRequest> pending() {
    return Optional.ofNullable(pending);
  }

  /** True once nothing is pending: the search finished or the pre-filter dropped the question. */
  boolean done() {
    return pending == null;
  }

  /**
   * Judges the answer to the pending request and counts its rollouts; when it answers the
   * pre-filter and the outcomes are uniform, the search is done with its question filtered out.
   *
   * @throws IllegalStateException when nothing is pending or the count differs from the request's
   */
  RolloutBatch answer(List<Continuation> continuations) {
    if (pending == null) {
      throw new IllegalStateException(
          "No request is pending: the search of question " + question.id() + " is done");
    }
    RolloutBatch batch = RolloutBatch.judge(pending, continuations, verifier);
    rollouts += batch.rollouts().size();
    if (!prefiltered) {
      prefiltered = true;
      if (!batch.mixed()) {
        filteredOut = true;
        pending = null;
      }
    }
    return batch;
  }

  /** Makes {@code count} rollouts from {@code prefixSteps} the pending request. */
  void request(List<String> prefixSteps, int count) {
    pending = new RolloutRequest(question, prefixSteps, count);
  }

  void finish() {
    pending = null;
  }

  /**
   * Adds a label of this search's question, search id and policy version, unless this search has
   * labelled the same step after the same prefix already.
   */
  void label(List<String> prefixSteps, String step, double mcValue, int estimateRollouts) {
    List<String> path = new ArrayList<>(prefixSteps);
    path.add(step);
    if (!labelledPaths.add(path)) {
      return;
    }
    untaken.add(
        new ProcessLabel(
            question.id(),
            question.text(),
            searchId,
            policyVersion,
            prefixSteps,
            step,
            mcValue,
            estimateRollouts));
    labels++;
  }

  List<ProcessLabel> takeLabels() {
    List<ProcessLabel> taken = List.copyOf(untaken);
    untaken.clear();
    return taken;
  }

  SearchStats stats(int binarySearches) {
    return new SearchStats(rollouts, labels, binarySearches, filteredOut);
  }

  Question question() {
    return question;
  }
}
