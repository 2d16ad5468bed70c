package dev.rlflow.reward.omega;

/**
 * OmegaPRM's priority of a candidate rollout r from state s (Luo et al. 2024, arXiv 2406.06592):
 * the candidate with the highest {@code Q + U} is searched next.
 *
 * @param q exploitation: {@code α^(1 − MC(s)) · β^(len(r) / L)}, high for wrong rollouts from
 *     states that are probably still right (wrong answers that were supposed to be correct, the
 *     most informative negatives) and for short rollouts
 * @param u exploration: {@code c_puct · √(Σᵢ N(sᵢ)) / (1 + N(s))}, high for rarely chosen states
 */
record SelectionScore(double q, double u) {

  /**
   * Scores a candidate.
   *
   * @param mc MC(s), the Monte Carlo value of the state the rollout started from
   * @param tokens len(r), the rollout's length in tokens
   * @param visits N(s), how often a rollout of that state has been searched
   * @param totalVisits Σᵢ N(sᵢ) over all states of the tree
   */
  static SelectionScore of(
      OmegaPrmSearch.Params params, double mc, int tokens, int visits, long totalVisits) {
    double q =
        Math.pow(params.alpha(), 1 - mc)
            * Math.pow(params.beta(), (double) tokens / params.lengthScale());
    double u = params.cPuct() * Math.sqrt(totalVisits) / (1 + visits);
    return new SelectionScore(q, u);
  }

  double total() {
    return q + u;
  }
}
