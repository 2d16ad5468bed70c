package dev.rlflow.jobs.task;

import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.training.sft.SftExample;

/**
 * How a problem meets the policy: the prompt is {@code <bos> question \n}, the response the
 * solution followed by {@code <eos>} (the token layout of {@link SftExample#encode}). Training,
 * generation and scoring all use it, so a model trained by SFT is prompted as it was taught.
 */
public final class PromptFormat {
  private PromptFormat() {}

  /** A demonstration: the question as prompt, the reference solution as response. */
  public static SftExample example(Tokenizer tokenizer, String question, String solution) {
    return SftExample.encode(tokenizer, question + "\n", solution);
  }

  /** The prompt tokens of a question. */
  public static int[] prompt(Tokenizer tokenizer, String question) {
    return example(tokenizer, question, "").prompt();
  }
}
