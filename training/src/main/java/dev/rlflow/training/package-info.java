/**
 * The update maths and loops of training. This package holds what every trainer shares: the {@link
 * dev.rlflow.training.NonFiniteGuard} that skips non-finite updates and the {@link
 * dev.rlflow.training.TrainingDivergedException} it ends a run with. Optimizers and gradient
 * clipping are in {@code optim}, learning-rate schedules in {@code schedule}, supervised
 * fine-tuning in {@code sft}.
 */
package dev.rlflow.training;
