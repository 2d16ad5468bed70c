/**
 * The update maths and loops of training. This package holds what every trainer shares: the {@link
 * dev.rlflow.training.NonFiniteGuard} that skips non-finite updates and the {@link
 * dev.rlflow.training.TrainingDivergedException} it ends a run with. Optimizers and gradient
 * clipping are in {@code optim}, learning-rate schedules in {@code schedule}, the loop of
 * supervised training (SFT, PRM) in {@code loop}, supervised fine-tuning in {@code sft}. The RL
 * update: token rewards and advantages (GAE, GRPO, RLOO, REINFORCE++) in {@code advantage}, the KL
 * penalty's estimators and controller in {@code kl}, macro actions (MA-RLHF) in {@code macro}, and
 * the PPO losses with the advantage estimation a run's algorithm selects in {@code ppo}.
 */
package dev.rlflow.training;
