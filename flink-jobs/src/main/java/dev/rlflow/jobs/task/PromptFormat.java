package dev.rlflow.jobs.task;

import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.training.sft.SftExample;
import java.util.List;

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

  /**
   * The tokens the policy continues from after the first solution steps {@code prefixSteps}: the
   * prompt, then each step and its newline, as SFT taught them.
   */
  public static int[] prompt(Tokenizer tokenizer, String question, List<String> prefixSteps) {
    StringBuilder text = new StringBuilder(question).append('\n');
    for (String step : prefixSteps) {
      text.append(step).append('\n');
    }
    return SftExample.encode(tokenizer, text.toString(), "").prompt();
  }
}
