/**
 * Text to token ids and back: the {@link dev.rlflow.model.tokenizer.Tokenizer} contract that
 * generation, training and the process reward model share, the built-in {@link
 * dev.rlflow.model.tokenizer.CharTokenizer} of the arith task, {@link
 * dev.rlflow.model.tokenizer.HfTokenizer} for local Hugging Face tokenizer.json files, and {@link
 * dev.rlflow.model.tokenizer.Tokenizers#load} that opens the one a run configuration names.
 */
package dev.rlflow.model.tokenizer;
