package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import java.util.List;

/**
 * The responses one rollout subtask generated for its shard of batch {@code batch} with policy
 * version {@code version}, not yet scored.
 *
 * @param batch b
 * @param shard which shard of the batch ({@link PromptBatch#shards})
 * @param shards how many shards the batch has
 * @param version the policy version that generated them
 * @param responses the responses, prompt by prompt, sample by sample
 * @param generationSeconds wall time of generation (waiting for the version excluded)
 * @param waitSeconds time the rollout waited for the version
 */
public record GeneratedBatch(
    long batch,
    int shard,
    int shards,
    long version,
    List<Response> responses,
    double generationSeconds,
    double waitSeconds) {
  public GeneratedBatch {
    responses = List.copyOf(responses);
  }

  /**
   * This shard with its responses scored, in their order, in {@code seconds}; {@code
   * acceptedWithWrongStep} as {@link RlBatch} has it.
   */
  public RlBatch scored(List<ScoredResponse> scored, double seconds, int acceptedWithWrongStep) {
    return new RlBatch(
        batch,
        shard,
        shards,
        version,
        scored,
        generationSeconds,
        waitSeconds,
        seconds,
        acceptedWithWrongStep);
  }
}
