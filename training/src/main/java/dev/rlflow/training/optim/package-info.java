/**
 * Optimizer maths on DJL arrays, written here because DJL's own optimizers lack it: {@link
 * dev.rlflow.training.optim.AdamW} with decoupled weight decay and exportable moments, and {@link
 * dev.rlflow.training.optim.GradientClipping} by the global norm of all gradients.
 */
package dev.rlflow.training.optim;
