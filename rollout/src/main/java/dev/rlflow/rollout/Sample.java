package dev.rlflow.rollout;

import java.util.Arrays;
import java.util.Objects;

/**
 * One generated continuation of a request's prefix.
 *
 * @param requestId the request it answers
 * @param sampleIndex its index within the request; with the engine seed and requestId it fixes the
 *     random stream
 * @param tokens the generated tokens, prefix excluded, stop token included (length >= 1)
 * @param logProbs log π_T(token | prefix, earlier tokens) of each token under the distribution it
 *     was drawn from, the log-softmax of logits / T at the sampling temperature T (1 when greedy;
 *     {@link SamplingParams#logProbTemperature()}): PPO's ratio divides the trainer's log-probs at
 *     the same temperature by these (ALGORITHMS.md §3), so at T = 0.7 the first ratio is 1 and the
 *     policy gradient is that of the distribution sampled. Top-k and top-p are not reflected; RL
 *     refuses them
 * @param stepEnds ascending indices into {@code tokens} of the last token of each reasoning step: a
 *     token whose id is a step-end id (e.g. newline), and always the last token (so a stop token
 *     right after a step-end token forms a final step of its own)
 * @param finishReason why it stopped
 */
public record Sample(
    String requestId,
    int sampleIndex,
    int[] tokens,
    float[] logProbs,
    int[] stepEnds,
    FinishReason finishReason) {

  public Sample {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(finishReason, "finishReason");
    if (tokens.length == 0 || tokens.length != logProbs.length) {
      throw new IllegalArgumentException(
          "Sample "
              + requestId
              + "#"
              + sampleIndex
              + " has "
              + tokens.length
              + " tokens and "
              + logProbs.length
              + " log-probs: must be equal and >= 1");
    }
    tokens = tokens.clone();
    logProbs = logProbs.clone();
    stepEnds = stepEnds.clone();
  }

  /** A copy of the generated tokens. */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  /** A copy of the per-token log-probs. */
  @Override
  public float[] logProbs() {
    return logProbs.clone();
  }

  /** A copy of the step-end indices. */
  @Override
  public int[] stepEnds() {
    return stepEnds.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sample s
        && requestId.equals(s.requestId)
        && sampleIndex == s.sampleIndex
        && Arrays.equals(tokens, s.tokens)
        && Arrays.equals(logProbs, s.logProbs)
        && Arrays.equals(stepEnds, s.stepEnds)
        && finishReason == s.finishReason;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        requestId,
        sampleIndex,
        Arrays.hashCode(tokens),
        Arrays.hashCode(logProbs),
        Arrays.hashCode(stepEnds),
        finishReason);
  }

  @Override
  public String toString() {
    return "Sample[requestId="
        + requestId
        + ", sampleIndex="
        + sampleIndex
        + ", tokens="
        + Arrays.toString(tokens)
        + ", logProbs="
        + Arrays.toString(logProbs)
        + ", stepEnds="
        + Arrays.toString(stepEnds)
        + ", finishReason="
        + finishReason
        + "]";
  }
}
