package dev.rlflow.training.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.ModelInput;
import dev.rlflow.training.Autograd;
import java.util.List;

/**
 * A right-padded batch of SFT examples for teacher forcing: each sequence {@code s = prompt +
 * response} of length L gives inputs {@code s[0 .. L-2]} and targets {@code s[1 .. L-1]}, and the
 * loss counts the targets that are response tokens.
 *
 * <p>With prompt length P, input position {@code t} predicts {@code s[t + 1]}, so the mask is 1 for
 * {@code P - 1 <= t <= L - 2}: the first counted position is the prompt's last token predicting the
 * response's first, the last counted target is the response's final (eos) token.
 *
 * @param tokens input ids (B, T) int64, T = max(L) - 1, padding ids after each sequence
 * @param valid 1 on real input tokens, 0 on padding (B, T) float32
 * @param targets next-token ids (B, T) int64, padding ids where there is none
 * @param mask 1 where the target is a response token, else 0 (B, T) float32
 * @param countedTokens the number of ones in {@code mask}
 */
public record SftBatch(
    NDArray tokens, NDArray valid, NDArray targets, NDArray mask, int countedTokens) {

  /**
   * The batch of {@code examples} in {@code manager}, padded with {@code padId}.
   *
   * @throws IllegalArgumentException if {@code examples} is empty
   */
  public static SftBatch of(List<SftExample> examples, int padId, NDManager manager) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("An SFT batch needs at least one example");
    }
    int b = examples.size();
    int t = examples.stream().mapToInt(SftExample::length).max().orElseThrow() - 1;
    long[] tokens = new long[b * t];
    float[] valid = new float[b * t];
    long[] targets = new long[b * t];
    float[] mask = new float[b * t];
    int counted = 0;
    for (int i = 0; i < b; i++) {
      SftExample example = examples.get(i);
      int inputs = example.length() - 1;
      for (int j = 0; j < t; j++) {
        int at = i * t + j;
        boolean real = j < inputs;
        tokens[at] = real ? example.token(j) : padId;
        valid[at] = real ? 1 : 0;
        targets[at] = real ? example.token(j + 1) : padId;
        if (real && j >= example.promptLength() - 1) {
          mask[at] = 1;
          counted++;
        }
      }
    }
    Shape shape = new Shape(b, t);
    return new SftBatch(
        Autograd.owned(manager.create(tokens, shape)),
        Autograd.owned(manager.create(valid, shape)),
        Autograd.owned(manager.create(targets, shape)),
        Autograd.owned(manager.create(mask, shape)),
        counted);
  }

  /** The model's input for this batch's tokens, attention masks in {@code dtype}. */
  public ModelInput input(DataType dtype) {
    return ModelInput.of(tokens, valid, dtype);
  }
}
