/**
 * Macro actions (MA-RLHF, arXiv 2410.02743; ALGORITHMS.md §5): a {@link
 * dev.rlflow.training.macro.Segmentation} cuts a response into spans of tokens (fixed n-grams,
 * reasoning steps, or where the reference model's perplexity rises), and {@link
 * dev.rlflow.training.macro.MacroGae} runs GAE over the spans and hands each token its span's
 * advantage.
 */
package dev.rlflow.training.macro;
