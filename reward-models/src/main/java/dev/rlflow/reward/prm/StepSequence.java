package dev.rlflow.reward.prm;

import dev.rlflow.model.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * A question and solution steps as the process reward model reads them: {@code [bos] question \n
 * step₁ \n step₂ \n …}, the layout the policy writes (one step per line), with the position of the
 * tag token that ends each step: the newline after it.
 *
 * <p>The score of step t is read at {@code tags[t]}, in training and scoring alike (ALGORITHMS.md
 * §2). At that position the model has read the whole step and its tag, nothing after them. Each
 * step is encoded together with its newline, so with a subword tokenizer the tag is the last token
 * of the step's piece, whatever merges the newline takes part in.
 *
 * @param tokens the token ids
 * @param firstStep the index of the first step's first token: tokens before it are {@code [bos]
 *     question \n}, the prompt the policy answered
 * @param tags for each step, the index in {@code tokens} of the token that ends it; increasing
 */
public record StepSequence(int[] tokens, int firstStep, int[] tags) {

  public StepSequence {
    tokens = tokens.clone();
    tags = tags.clone();
    if (firstStep < 1 || firstStep > tokens.length || (tags.length > 0 && tags[0] < firstStep)) {
      throw new IllegalArgumentException(
          "Invalid value "
              + firstStep
              + " for firstStep: must be in [1, "
              + tokens.length
              + "] and at most the first tag");
    }
    for (int t = 0; t < tags.length; t++) {
      if (tags[t] < 0 || tags[t] >= tokens.length || (t > 0 && tags[t] <= tags[t - 1])) {
        throw new IllegalArgumentException(
            "Invalid value "
                + Arrays.toString(tags)
                + " for tags: must be increasing indices in [0, "
                + tokens.length
                + ")");
      }
    }
  }

  /** The question and {@code steps}, each step ended by its newline tag. */
  public static StepSequence encode(Tokenizer tokenizer, String question, List<String> steps) {
    int[][] pieces = new int[steps.size() + 1][];
    pieces[0] = tokenizer.encode(question + "\n");
    int length = 1 + pieces[0].length;
    for (int t = 0; t < steps.size(); t++) {
      String step = steps.get(t);
      if (step.isBlank() || step.contains("\n")) {
        throw new IllegalArgumentException(
            "Invalid value '" + step + "' for step " + t + ": must be one non-blank line");
      }
      pieces[t + 1] = tokenizer.encode(step + "\n");
      length += pieces[t + 1].length;
    }
    int[] tokens = new int[length];
    int[] tags = new int[steps.size()];
    tokens[0] = tokenizer.bosId();
    int at = 1;
    for (int p = 0; p < pieces.length; p++) {
      System.arraycopy(pieces[p], 0, tokens, at, pieces[p].length);
      at += pieces[p].length;
      if (p > 0) {
        tags[p - 1] = at - 1;
      }
    }
    return new StepSequence(tokens, 1 + pieces[0].length, tags);
  }

  /** The token ids (a copy). */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  /** The tag positions (a copy). */
  @Override
  public int[] tags() {
    return tags.clone();
  }

  public int length() {
    return tokens.length;
  }

  public int steps() {
    return tags.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StepSequence s
        && Arrays.equals(tokens, s.tokens)
        && firstStep == s.firstStep
        && Arrays.equals(tags, s.tags);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(tokens) + firstStep) + Arrays.hashCode(tags);
  }

  @Override
  public String toString() {
    return "StepSequence[tokens="
        + Arrays.toString(tokens)
        + ", firstStep="
        + firstStep
        + ", tags="
        + Arrays.toString(tags)
        + "]";
  }
}
