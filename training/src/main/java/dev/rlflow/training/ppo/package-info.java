/**
 * The PPO-family update, shared by ppo, grpo, rloo, reinforce_pp and raft (ALGORITHMS.md §4):
 * {@link dev.rlflow.training.ppo.AdvantageEstimator} turns a batch of {@link
 * dev.rlflow.training.ppo.Experience} into per-token advantages and returns by the algorithm a run
 * names, and {@link dev.rlflow.training.ppo.PpoLoss} holds the differentiable loss terms (clipped
 * policy, clipped value, entropy, KL in the loss) on DJL arrays.
 */
package dev.rlflow.training.ppo;
