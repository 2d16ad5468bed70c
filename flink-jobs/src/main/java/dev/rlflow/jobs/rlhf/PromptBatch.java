package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.rl.Prompt;
import java.util.List;

/**
 * The prompts of one RL iteration: batch index {@code batch} (b) fixes the policy version that
 * answers them, {@code max(0, b - rollout.max_staleness)}.
 *
 * @param batch b, from 0
 * @param prompts the prompts, each with the tokens the policy continues, group i at index i
 */
public record PromptBatch(long batch, List<Prompt> prompts) {
  public PromptBatch {
    prompts = List.copyOf(prompts);
  }
}
