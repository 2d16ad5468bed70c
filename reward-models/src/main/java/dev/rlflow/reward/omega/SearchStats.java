package dev.rlflow.reward.omega;

/**
 * What a search spent and produced.
 *
 * @param rollouts rollouts generated, the pre-filter included
 * @param labels labels produced
 * @param binarySearches binary searches run (0 for per-step Monte Carlo)
 * @param filteredOut true when the pre-filter dropped the question (no correct or no wrong rollout)
 */
public record SearchStats(long rollouts, long labels, int binarySearches, boolean filteredOut) {}
