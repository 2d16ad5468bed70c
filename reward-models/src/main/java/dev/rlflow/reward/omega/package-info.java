/**
 * Process labels by Monte Carlo search: OmegaPRM's divide-and-conquer tree search ({@link
 * dev.rlflow.reward.omega.OmegaPrmSearch}), the per-step Monte Carlo baseline ({@link
 * dev.rlflow.reward.omega.PerStepMonteCarlo}), and the {@link dev.rlflow.reward.omega.SearchDriver}
 * that runs many searches against one batched {@link dev.rlflow.reward.omega.Completer}.
 */
package dev.rlflow.reward.omega;
