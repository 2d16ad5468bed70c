package dev.rlflow.reward.omega;

import java.util.ArrayList;
import java.util.List;

/**
 * OmegaPRM's candidate pool: wrong rollouts of states with 0 < MC < 1, waiting for a binary search.
 *
 * <p>Priorities are recomputed for every candidate at every pop, because U depends on Σ N and on
 * the N of each state, which change with every selection: a heap of stale priorities would pick
 * differently (ALGORITHMS.md §1, decided). Ties go to the candidate added first.
 */
final class CandidatePool {

  /** A wrong rollout and the state it started from. */
  record Candidate(TreeState state, JudgedRollout rollout) {}

  private final OmegaPrmSearch.Params params;
  private final List<Candidate> candidates = new ArrayList<>();

  CandidatePool(OmegaPrmSearch.Params params) {
    this.params = params;
  }

  void add(TreeState state, JudgedRollout rollout) {
    candidates.add(new Candidate(state, rollout));
  }

  boolean isEmpty() {
    return candidates.isEmpty();
  }

  /**
   * Removes and returns the candidate with the highest Q + U.
   *
   * @param totalVisits Σᵢ N(sᵢ) over all states of the tree
   * @throws IllegalStateException when the pool is empty
   */
  Candidate pop(long totalVisits) {
    if (candidates.isEmpty()) {
      throw new IllegalStateException("The candidate pool is empty");
    }
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < candidates.size(); i++) {
      Candidate candidate = candidates.get(i);
      double score =
          SelectionScore.of(
                  params,
                  candidate.state().mc(),
                  candidate.rollout().tokens(),
                  candidate.state().visits(),
                  totalVisits)
              .total();
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return candidates.remove(best);
  }
}
