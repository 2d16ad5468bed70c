package dev.rlflow.training.sft;

import dev.rlflow.model.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * One supervised fine-tuning example as token ids: a prompt the model reads and a response it
 * learns to write; only the response's tokens count in the loss.
 *
 * @param prompt the prompt's ids, starting with the tokenizer's bos id; at least one
 * @param response the response's ids, ending with the eos id so the model learns to stop; at least
 *     one
 */
public record SftExample(int[] prompt, int[] response) {

  public SftExample {
    if (prompt.length < 1) {
      throw new IllegalArgumentException("Invalid value [] for prompt: must hold at least bos");
    }
    if (response.length < 1) {
      throw new IllegalArgumentException("Invalid value [] for response: must hold at least eos");
    }
    prompt = prompt.clone();
    response = response.clone();
  }

  /** {@code [bos] + encode(prompt)} and {@code encode(response) + [eos]}. */
  public static SftExample encode(Tokenizer tokenizer, String prompt, String response) {
    int[] p = tokenizer.encode(prompt);
    int[] r = tokenizer.encode(response);
    int[] withBos = new int[p.length + 1];
    withBos[0] = tokenizer.bosId();
    System.arraycopy(p, 0, withBos, 1, p.length);
    int[] withEos = Arrays.copyOf(r, r.length + 1);
    withEos[r.length] = tokenizer.eosId();
    return new SftExample(withBos, withEos);
  }

  /** The prompt's ids (a copy). */
  @Override
  public int[] prompt() {
    return prompt.clone();
  }

  /** The response's ids (a copy). */
  @Override
  public int[] response() {
    return response.clone();
  }

  /** Prompt and response together: the sequence the model reads. */
  public int length() {
    return prompt.length + response.length;
  }

  /** Positions the loss counts: one per response token. */
  public int responseLength() {
    return response.length;
  }

  /** The token at {@code index} of prompt followed by response. */
  int token(int index) {
    return index < prompt.length ? prompt[index] : response[index - prompt.length];
  }

  int promptLength() {
    return prompt.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SftExample e
        && Arrays.equals(prompt, e.prompt)
        && Arrays.equals(response, e.response);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(prompt) + Arrays.hashCode(response);
  }

  @Override
  public String toString() {
    return "SftExample[prompt="
        + Arrays.toString(prompt)
        + ", response="
        + Arrays.toString(response)
        + "]";
  }
}
