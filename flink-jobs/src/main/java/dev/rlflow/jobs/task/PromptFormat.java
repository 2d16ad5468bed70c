package dev.rlflow.jobs.task;

import dev.rlflow.model.tokenizer.Tokenizer;

/**
 * How a problem meets the policy: the prompt is {@code <bos> question \n}, the response the
 * solution text followed by {@code <eos>}. Training, generation and scoring all use this one
 * layout, so a model trained by SFT is prompted exactly as it was taught.
 */
public final class PromptFormat {
  private PromptFormat() {}

  /** The prompt tokens of a question. */
  public static int[] prompt(Tokenizer tokenizer, String question) {
    int[] text = tokenizer.encode(question + "\n");
    int[] prompt = new int[text.length + 1];
    prompt[0] = tokenizer.bosId();
    System.arraycopy(text, 0, prompt, 1, text.length);
    return prompt;
  }

  /** The response tokens of a solution, ending with EOS. */
  public static int[] response(Tokenizer tokenizer, String solution) {
    int[] text = tokenizer.encode(solution);
    int[] response = new int[text.length + 1];
    System.arraycopy(text, 0, response, 0, text.length);
    response[text.length] = tokenizer.eosId();
    return response;
  }
}
