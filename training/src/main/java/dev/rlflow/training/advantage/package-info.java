/**
 * Advantages from rewards (ALGORITHMS.md §3), pure functions over {@code double[]}: {@link
 * dev.rlflow.training.advantage.TokenRewards} places step, outcome and KL rewards on tokens; {@link
 * dev.rlflow.training.advantage.Gae} estimates PPO's advantages and returns with a critic; {@link
 * dev.rlflow.training.advantage.GroupAdvantages} gives the critic-free group baselines (GRPO,
 * process GRPO, RLOO) and {@link dev.rlflow.training.advantage.ReinforcePlusPlus} the global-batch
 * one; {@link dev.rlflow.training.advantage.Whitening} standardises. Which of them a run uses is
 * decided by {@code algorithm.name} in {@code dev.rlflow.training.rl.AdvantageEstimator}.
 */
package dev.rlflow.training.advantage;
