package dev.rlflow.training.macro;

import dev.rlflow.core.config.AlgorithmConfig.MacroActions;
import dev.rlflow.training.advantage.Steps;
import java.util.Arrays;

/**
 * A response cut into macro actions, consecutive spans of tokens (Chai et al. 2025, "MA-RLHF:
 * Reinforcement Learning from Human Feedback with Macro Actions", arXiv 2410.02743; ALGORITHMS.md
 * §5).
 *
 * <p>Every segmentation makes the last token a macro action of its own: it carries the outcome
 * reward, which averaging over a longer span would dilute.
 *
 * @param lengths the token count of each macro action in order, each {@code >= 1}
 */
public record Segmentation(int[] lengths) {

  public Segmentation {
    if (lengths.length < 1) {
      throw new IllegalArgumentException("Invalid length 0 of lengths: must be >= 1");
    }
    for (int m = 0; m < lengths.length; m++) {
      if (lengths[m] < 1) {
        throw new IllegalArgumentException(
            "Invalid value " + lengths[m] + " for lengths[" + m + "]: must be >= 1");
      }
    }
    lengths = lengths.clone();
  }

  /**
   * The segmentation a run configures ({@code algorithm.macro_actions}) of one response.
   *
   * @param mode none (one macro action per token), fixed, step or ppl
   * @param n tokens per macro action for {@code fixed}
   * @param steps the response's steps, for {@code step}
   * @param refLogProbs the reference model's log-probability of each response token: its length is
   *     the response's, and {@code ppl} cuts by it
   */
  public static Segmentation of(MacroActions mode, int n, Steps steps, double[] refLogProbs) {
    int tokens = refLogProbs.length;
    return switch (mode) {
      case NONE -> tokens(tokens);
      case FIXED -> fixed(tokens, n);
      case STEP -> steps(tokens, steps);
      case PPL -> perplexity(refLogProbs);
    };
  }

  /** One macro action per token: token-level RL. */
  public static Segmentation tokens(int tokens) {
    requireTokens(tokens);
    boolean[] starts = new boolean[tokens];
    Arrays.fill(starts, true);
    return fromStarts(starts);
  }

  /**
   * n-grams: a macro action starts at every multiple of {@code n}, and at the last token.
   *
   * @throws IllegalArgumentException if {@code tokens < 1} or {@code n < 1}
   */
  public static Segmentation fixed(int tokens, int n) {
    requireTokens(tokens);
    if (n < 1) {
      throw new IllegalArgumentException("Invalid value " + n + " for n: must be >= 1");
    }
    boolean[] starts = new boolean[tokens];
    for (int t = 0; t < tokens; t += n) {
      starts[t] = true;
    }
    return fromStarts(starts);
  }

  /**
   * One macro action per reasoning step: a macro action starts after every step's last token, and
   * at the last token. Tokens after the last step form a macro action of their own.
   *
   * @throws IllegalArgumentException if {@code tokens < 1} or a step ends outside the response
   */
  public static Segmentation steps(int tokens, Steps steps) {
    requireTokens(tokens);
    steps.requireWithin(tokens);
    boolean[] starts = new boolean[tokens];
    for (int end : steps.ends()) {
      if (end + 1 < tokens) {
        starts[end + 1] = true;
      }
    }
    return fromStarts(starts);
  }

  /**
   * Cuts where the reference model's perplexity rises: a macro action starts at token {@code t >=
   * 1} when the reference model's negative log-probability of token t is strictly higher than of
   * token t - 1, and at the last token. A macro action thus runs while the reference model grows
   * (or stays) more confident, and a token that surprises it more than its predecessor opens the
   * next one. Per-token perplexity {@code exp(-log p)} rises exactly when {@code log p} falls, so
   * the log-probabilities are compared directly.
   *
   * <p>The paper's code ({@code ppl_selection} in ernie-research/MA-RLHF) opens the macro action
   * one token earlier, at t - 1; this follows the rule as ALGORITHMS.md §5 states it.
   *
   * @param refLogProbs log pi_ref of each response token, finite
   * @throws IllegalArgumentException if {@code refLogProbs} is empty or holds a non-finite value
   */
  public static Segmentation perplexity(double[] refLogProbs) {
    requireTokens(refLogProbs.length);
    boolean[] starts = new boolean[refLogProbs.length];
    for (int t = 0; t < refLogProbs.length; t++) {
      if (!Double.isFinite(refLogProbs[t])) {
        throw new IllegalArgumentException(
            "Invalid value " + refLogProbs[t] + " for refLogProbs[" + t + "]: must be finite");
      }
      starts[t] = t > 0 && refLogProbs[t] < refLogProbs[t - 1];
    }
    return fromStarts(starts);
  }

  /** The lengths (a copy). */
  @Override
  public int[] lengths() {
    return lengths.clone();
  }

  /** The number of tokens segmented. */
  public int tokens() {
    int sum = 0;
    for (int length : lengths) {
      sum += length;
    }
    return sum;
  }

  /**
   * The mean of {@code perToken} over each macro action, equal weights (MA-RLHF's {@code equal}
   * value function). A macro action of one token gets its token's value exactly.
   *
   * @throws IllegalArgumentException if {@code perToken} is not one value per token
   */
  public double[] average(double[] perToken) {
    requireLength("perToken", perToken.length, tokens());
    double[] mean = new double[lengths.length];
    int start = 0;
    for (int m = 0; m < lengths.length; m++) {
      double sum = perToken[start]; // not 0 + x: keeps -0.0, so one token averages bit-exactly
      for (int t = start + 1; t < start + lengths[m]; t++) {
        sum += perToken[t];
      }
      mean[m] = sum / lengths[m];
      start += lengths[m];
    }
    return mean;
  }

  /**
   * Gives every token its macro action's value.
   *
   * @throws IllegalArgumentException if {@code perMacroAction} is not one value per macro action
   */
  public double[] broadcast(double[] perMacroAction) {
    requireLength("perMacroAction", perMacroAction.length, lengths.length);
    double[] perToken = new double[tokens()];
    int start = 0;
    for (int m = 0; m < lengths.length; m++) {
      Arrays.fill(perToken, start, start + lengths[m], perMacroAction[m]);
      start += lengths[m];
    }
    return perToken;
  }

  /** The segmentation with a macro action starting wherever {@code starts} is true. */
  private static Segmentation fromStarts(boolean[] starts) {
    starts[0] = true;
    starts[starts.length - 1] = true; // the last token is a macro action of its own
    int count = 0;
    for (boolean start : starts) {
      count += start ? 1 : 0;
    }
    int[] lengths = new int[count];
    int m = -1;
    for (boolean start : starts) {
      if (start) {
        m++;
      }
      lengths[m]++;
    }
    return new Segmentation(lengths);
  }

  private static void requireTokens(int tokens) {
    if (tokens < 1) {
      throw new IllegalArgumentException("Invalid value " + tokens + " for tokens: must be >= 1");
    }
  }

  private static void requireLength(String name, int length, int expected) {
    if (length != expected) {
      throw new IllegalArgumentException(
          "Invalid length " + length + " of " + name + ": must be " + expected);
    }
  }
}
