/**
 * The RL update, shared by ppo, grpo, rloo, reinforce_pp and raft (ALGORITHMS.md §3-§4), split by
 * role as veRL's workers are: {@link dev.rlflow.training.rl.RlTrainer} runs one iteration on a
 * batch of {@link dev.rlflow.core.rl.ScoredResponse}s; {@link dev.rlflow.training.rl.Reference}
 * scores them under the frozen reference ({@code compute_ref_log_prob}), {@link
 * dev.rlflow.training.rl.CriticUpdate} values them and regresses the critic ({@code
 * compute_values}, {@code update_critic}), {@link dev.rlflow.training.rl.Actor} updates the policy
 * ({@code update_policy}) with the {@link dev.rlflow.training.rl.PolicyLoss} the algorithm names,
 * and {@link dev.rlflow.training.rl.RaftSelection} picks raft's accepted responses and replays
 * earlier ones. {@link dev.rlflow.training.rl.AdvantageEstimator} turns the per-token {@link
 * dev.rlflow.training.rl.Experience} into advantages and returns, {@link
 * dev.rlflow.training.rl.PpoLoss} holds the differentiable loss terms, and {@link
 * dev.rlflow.training.rl.TrainerCheckpoint} the layout of a trainer's save.
 */
package dev.rlflow.training.rl;
