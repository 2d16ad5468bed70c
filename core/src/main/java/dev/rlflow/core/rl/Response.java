package dev.rlflow.core.rl;

import java.util.Arrays;
import java.util.Objects;

/**
 * One response a policy sampled for a prompt: its tokens, the sampler's log-prob of each, and where
 * its reasoning steps end.
 *
 * @param prompt the prompt it answers
 * @param tokens the response tokens, stop token included, at least one
 * @param logProbs the sampling policy's log-prob of each token, same length
 * @param stepEnds the token index ending each reasoning step, strictly increasing, each inside the
 *     response
 */
public record Response(Prompt prompt, int[] tokens, float[] logProbs, int[] stepEnds) {

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
    tokens = tokens.clone();
    logProbs = logProbs.clone();
    stepEnds = stepEnds.clone();
  }

  /** This response with {@code stepEnds} as its step ends. */
  public Response withStepEnds(int[] stepEnds) {
    return new Response(prompt, tokens, logProbs, stepEnds);
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
        && Arrays.equals(stepEnds, r.stepEnds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        prompt, Arrays.hashCode(tokens), Arrays.hashCode(logProbs), Arrays.hashCode(stepEnds));
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
        + "]";
  }
}
