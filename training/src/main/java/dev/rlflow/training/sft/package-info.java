/**
 * Supervised fine-tuning (the warm start before RL): {@link dev.rlflow.training.sft.SftExample}
 * prompt/response pairs, their padded {@link dev.rlflow.training.sft.SftBatch}, the response-only
 * {@link dev.rlflow.training.sft.SftLoss} and the {@link dev.rlflow.training.sft.SftTrainer} loop.
 */
package dev.rlflow.training.sft;
