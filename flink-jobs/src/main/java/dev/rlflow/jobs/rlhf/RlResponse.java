package dev.rlflow.jobs.rlhf;

/**
 * One sampled response of an RL iteration, as the rollout made it and the reward scored it.
 *
 * @param prompt the prompt it answers
 * @param tokens the response tokens, stop token included
 * @param logProbs the sampling policy's log-prob of each token
 * @param stepEnds token indices ending each reasoning step (the last token always ends one)
 * @param correct the verifier's verdict ({@code reward.verifier})
 * @param outcome the weighted outcome reward on the last token
 * @param stepRewards the weighted PRM reward of each step ending at {@code stepEnds}; empty when no
 *     PRM scores steps
 */
public record RlResponse(
    PromptBatch.RlPrompt prompt,
    int[] tokens,
    float[] logProbs,
    int[] stepEnds,
    boolean correct,
    double outcome,
    double[] stepRewards) {

  /** This response with its reward. */
  public RlResponse scored(boolean correct, double outcome, double[] stepRewards) {
    return new RlResponse(prompt, tokens, logProbs, stepEnds, correct, outcome, stepRewards);
  }
}
