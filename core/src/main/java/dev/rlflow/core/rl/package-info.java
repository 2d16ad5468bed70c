/**
 * The vocabulary of the RL dataflow (DESIGN.md §3), one shape per concept from rollout to trainer:
 * a {@link dev.rlflow.core.rl.Prompt} of a batch, the {@link dev.rlflow.core.rl.Response} a policy
 * version sampled for it, and that response with its rewards, a {@link
 * dev.rlflow.core.rl.ScoredResponse}; the {@link dev.rlflow.core.rl.PolicyVersion} that answers a
 * batch. Records hold arrays by copy and compare them by content.
 */
package dev.rlflow.core.rl;
