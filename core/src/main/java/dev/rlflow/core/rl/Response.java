package dev.rlflow.core.rl;

import java.util.Arrays;
import java.util.Objects;

/**
 * One response a policy sampled for a prompt: its tokens, the sampler's log-prob of each, where its
 * reasoning steps end and, for vineppo, the Monte Carlo value of the prefix ending at each step.
 *
 * @param prompt the prompt it answers
 * @param tokens the response tokens, stop token included, at least one
 * @param logProbs the sampling policy's log-prob of each token, same length
 * @param stepEnds the token index ending each reasoning step, strictly increasing, each inside the
 *     response
 * @param stepValues empty, or one per step: V̂ of the prefix ending at that step, the mean outcome
 *     reward of the continuations sampled from it (VinePPO, ALGORITHMS.md §3), finite, or NaN where
 *     no rollout estimated it (the last step, whose value is the response's own outcome)
 * @param mcRollouts the continuations sampled to estimate {@code stepValues}, {@code >= 0}
 */
public record Response(
    Prompt prompt,
    int[] tokens,
    float[] logProbs,
    int[] stepEnds,
    double[] stepValues,
    int mcRollouts) {

  public Response {
    Objects.requireNonNull(prompt, "prompt");
    if (logProbs.length != tokens.length || tokens.length == 0) {
      throw new IllegalArgumentException(
          "Invalid length "
              + logProbs.length
              + " of logProbs: must equal the response length "
              + tokens.length
              + " (>= 1)");
    }
    for (int k = 0; k < stepEnds.length; k++) {
      if (stepEnds[k] < 0
          || stepEnds[k] >= tokens.length
          || (k > 0 && stepEnds[k] <= stepEnds[k - 1])) {
        throw new IllegalArgumentException(
            "Invalid value "
                + Arrays.toString(stepEnds)
                + " for stepEnds: must be strictly increasing and in [0, "
                + tokens.length
                + ")");
      }
    }
    if (stepValues.length != 0 && stepValues.length != stepEnds.length) {
      throw new IllegalArgumentException(
          "Invalid length "
              + stepValues.length
              + " of stepValues: must be 0 or the number of step ends ("
              + stepEnds.length
              + ")");
    }
    for (double v : stepValues) {
      if (Double.isInfinite(v)) {
        throw new IllegalArgumentException(
            "Invalid value " + v + " in stepValues: must be finite or NaN (not estimated)");
      }
    }
    if (mcRollouts < 0) {
      throw new IllegalArgumentException(
          "Invalid value " + mcRollouts + " for mcRollouts: must be >= 0");
    }
    tokens = tokens.clone();
    logProbs = logProbs.clone();
    stepEnds = stepEnds.clone();
    stepValues = stepValues.clone();
  }

  /** A response without step values. */
  public Response(Prompt prompt, int[] tokens, float[] logProbs, int[] stepEnds) {
    this(prompt, tokens, logProbs, stepEnds, new double[0], 0);
  }

  /**
   * This response with {@code stepEnds} as its step ends; its step values are kept when the number
   * of steps is unchanged, else dropped (they valued other prefixes).
   */
  public Response withStepEnds(int[] stepEnds) {
    double[] values = stepEnds.length == this.stepEnds.length ? stepValues : new double[0];
    return new Response(prompt, tokens, logProbs, stepEnds, values, mcRollouts);
  }

  /**
   * This response cut into the steps ending at {@code stepEnds}, valued {@code stepValues} by
   * {@code mcRollouts} continuations.
   */
  public Response withStepValues(int[] stepEnds, double[] stepValues, int mcRollouts) {
    return new Response(prompt, tokens, logProbs, stepEnds, stepValues, mcRollouts);
  }

  /** The response tokens (a copy). */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  /** The sampler's log-probs (a copy). */
  @Override
  public float[] logProbs() {
    return logProbs.clone();
  }

  /** The step ends (a copy). */
  @Override
  public int[] stepEnds() {
    return stepEnds.clone();
  }

  /** The step values (a copy), empty unless vineppo estimated them. */
  @Override
  public double[] stepValues() {
    return stepValues.clone();
  }

  /** The number of response tokens. */
  public int length() {
    return tokens.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Response r
        && prompt.equals(r.prompt)
        && Arrays.equals(tokens, r.tokens)
        && Arrays.equals(logProbs, r.logProbs)
        && Arrays.equals(stepEnds, r.stepEnds)
        && Arrays.equals(stepValues, r.stepValues)
        && mcRollouts == r.mcRollouts;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        prompt,
        Arrays.hashCode(tokens),
        Arrays.hashCode(logProbs),
        Arrays.hashCode(stepEnds),
        Arrays.hashCode(stepValues),
        mcRollouts);
  }

  @Override
  public String toString() {
    return "Response[prompt="
        + prompt
        + ", tokens="
        + Arrays.toString(tokens)
        + ", logProbs="
        + Arrays.toString(logProbs)
        + ", stepEnds="
        + Arrays.toString(stepEnds)
        + ", stepValues="
        + Arrays.toString(stepValues)
        + ", mcRollouts="
        + mcRollouts
        + "]";
  }
}
