package dev.rlflow.jobs.rlhf;

import java.util.List;

/**
 * The prompts of one RL iteration: batch index {@code batch} (b) fixes the policy version that
 * answers them, {@code max(0, b - rollout.max_staleness)}.
 *
 * @param batch b, from 0
 * @param prompts the prompts, each with the tokens the policy continues
 */
public record PromptBatch(long batch, List<RlPrompt> prompts) {
  public PromptBatch {
    prompts = List.copyOf(prompts);
  }

  /**
   * One prompt of a batch.
   *
   * @param group its index in the batch: the group of its samples
   * @param problemId the problem's id, which seeds its samples
   * @param question the question text
   * @param answer the reference answer
   * @param tokens the prompt tokens (possibly truncated per {@code rollout.prompt_overflow})
   */
  public record RlPrompt(
      int group, String problemId, String question, String answer, int[] tokens) {}
}
