package dev.rlflow.jobs.rlhf;

/**
 * What one RL iteration did: the metrics of issue 7, one row of {@code metrics.csv}.
 *
 * @param iteration the batch index b trained
 * @param version the policy version that generated the batch
 * @param rewardMean mean return of a response at its first token: the outcome plus the min-form
 *     credit of its steps (the smallest step reward), without the KL penalty
 * @param accuracy share of responses the verifier accepted
 * @param stepRewardMean mean step reward over all steps (0 without a PRM)
 * @param kl mean summed KL(pi_old || pi_ref) of a response
 * @param klCoef beta of this iteration
 * @param entropy token-mean policy entropy
 * @param clipFraction share of tokens whose ratio was clipped
 * @param policyLoss PPO-clip loss
 * @param valueLoss clipped value loss (NaN without a critic)
 * @param responseLength mean response tokens
 * @param genTokensPerSecond generated tokens per second of generation
 * @param trainTokensPerSecond response tokens per second of training (all epochs)
 * @param generationSeconds generation wall time
 * @param waitSeconds rollout's wait for the version
 * @param rewardSeconds reward wall time
 * @param trainSeconds trainer wall time
 * @param iterationSeconds wall time since the previous iteration ended
 * @param orchestration share of the iteration's wall time not spent in model compute (generation,
 *     reward, training), in [0, 1]
 * @param skippedUpdates actor and critic updates of this iteration skipped as non-finite
 * @param logProbGapMean mean |log pi_sampler - log pi_trainer| over the tokens trained on, before
 *     the iteration's first update: 0 at FP32 with an exact weight hand-over
 * @param logProbGapMax the largest such gap: how a stale or mismatched hand-over shows
 * @param mcRollouts continuations sampled to estimate vineppo's step values (0 for the others)
 * @param acceptedWrongStepShare of the responses the verifier accepted, the share with a wrong step
 *     by the task's ground-truth step checker (NaN without one): measured, never learned from
 * @param checkpoint the final policy checkpoint (last iteration only, else empty)
 * @param weightsSha256 SHA-256 of the final policy weights (last iteration only, else empty)
 */
public record RlMetric(
    long iteration,
    long version,
    double rewardMean,
    double accuracy,
    double stepRewardMean,
    double kl,
    double klCoef,
    double entropy,
    double clipFraction,
    double policyLoss,
    double valueLoss,
    double responseLength,
    double genTokensPerSecond,
    double trainTokensPerSecond,
    double generationSeconds,
    double waitSeconds,
    double rewardSeconds,
    double trainSeconds,
    double iterationSeconds,
    double orchestration,
    long skippedUpdates,
    double logProbGapMean,
    double logProbGapMax,
    long mcRollouts,
    double acceptedWrongStepShare,
    String checkpoint,
    String weightsSha256) {}
