package dev.rlflow.reward.prm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test-time selection among N sampled solutions of one problem (ALGORITHMS.md §2): majority vote
 * (self-consistency, Wang et al. 2023), best-of-N by a verifier's score, and PRM-weighted
 * self-consistency, which sums the scores of the solutions that reach each final answer (Li et al.
 * 2023; Math-Shepherd).
 *
 * <p>Answers are compared as given, so pass them normalised (equal values, equal strings).
 * Solutions without a final answer take no part in a vote. Ties go to the answer reached first, so
 * a selection is a pure function of its candidates in order.
 */
public final class Selection {
  private Selection() {}

  /**
   * One sampled solution.
   *
   * @param answer its normalised final answer, empty when it has none
   * @param score its verifier score (e.g. the aggregated PRM step scores)
   */
  public record Candidate(Optional<String> answer, double score) {}

  /** The most frequent answer. */
  public static Optional<String> majority(List<Candidate> candidates) {
    return vote(candidates, false);
  }

  /** The answer of the highest-scoring solution that has one. */
  public static Optional<String> bestOfN(List<Candidate> candidates) {
    Candidate best = null;
    for (Candidate c : candidates) {
      if (c.answer().isPresent() && (best == null || c.score() > best.score())) {
        best = c;
      }
    }
    return best == null ? Optional.empty() : best.answer();
  }

  /** The answer whose solutions' scores sum highest. */
  public static Optional<String> weightedSelfConsistency(List<Candidate> candidates) {
    return vote(candidates, true);
  }

  private static Optional<String> vote(List<Candidate> candidates, boolean weighted) {
    Map<String, Double> tally = new LinkedHashMap<>();
    for (Candidate c : candidates) {
      c.answer().ifPresent(a -> tally.merge(a, weighted ? c.score() : 1.0, Double::sum));
    }
    String winner = null;
    double top = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, Double> e : tally.entrySet()) {
      if (e.getValue() > top) {
        top = e.getValue();
        winner = e.getKey();
      }
    }
    return Optional.ofNullable(winner);
  }
}
