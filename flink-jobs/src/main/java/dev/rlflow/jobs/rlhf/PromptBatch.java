package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.rl.Prompt;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompts of one RL iteration, or of one shard of it: batch index {@code batch} (b) fixes the
 * policy version that answers them, {@code max(0, b - rollout.max_staleness)}.
 *
 * @param batch b, from 0
 * @param shard which shard of the batch this is, from 0 ({@link #shards})
 * @param shards how many shards the batch was cut into, one per rollout subtask
 * @param prompts the prompts, each with the tokens the policy continues and its group (its index in
 *     the whole batch)
 */
public record PromptBatch(long batch, int shard, int shards, List<Prompt> prompts) {
  public PromptBatch {
    if (shard < 0 || shard >= shards) {
      throw new IllegalArgumentException(
          "Invalid shard " + shard + " of " + shards + ": must be in [0, shards)");
    }
    prompts = List.copyOf(prompts);
  }

  /** A whole batch: shard 0 of 1. */
  public PromptBatch(long batch, List<Prompt> prompts) {
    this(batch, 0, 1, prompts);
  }

  /**
   * This whole batch cut into {@code n} shards for {@code n} rollout subtasks: prompt g goes to
   * shard {@code g mod n}, so shards differ in size by one prompt at most and each rollout subtask
   * generates the same prompts whatever the order batches arrive in.
   */
  public List<PromptBatch> shards(int n) {
    if (shards != 1) {
      throw new IllegalStateException("Batch " + batch + " is a shard already");
    }
    List<List<Prompt>> cut = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      cut.add(new ArrayList<>());
    }
    for (Prompt p : prompts) {
      cut.get(p.group() % n).add(p);
    }
    List<PromptBatch> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(new PromptBatch(batch, k, n, cut.get(k)));
    }
    return out;
  }
}
