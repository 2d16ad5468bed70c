package dev.rlflow.training.rl;

import dev.rlflow.core.rl.ScoredResponse;
import java.util.List;

/**
 * What one RL iteration did, averaged over its minibatch updates.
 *
 * @param policyLoss the actor's objective (PPO-clip, or raft's likelihood)
 * @param valueLoss clipped value loss (NaN without a critic)
 * @param entropy token-mean entropy of the policy at the sampling temperature
 * @param kl mean over the responses trained on (raft: the accepted ones) of the summed per-token
 *     KL(pi_old || pi_ref), by the configured estimator
 * @param klCoef beta used for this batch
 * @param clipFraction share of tokens whose ratio was clipped
 * @param approxKl k3 estimate of KL(pi_old || pi_theta) per token
 * @param gradNorm actor gradient norm before clipping
 * @param updates optimizer updates of the actor
 * @param skipped actor or critic updates skipped as non-finite
 * @param tokens response tokens of the actor's minibatch updates, summed over them (a response
 *     trained in two epochs counts twice, raft's replayed responses count)
 * @param logProbGap how far the sampler's log-probs of the responses trained on are from the
 *     trainer's before its first update: 0 at FP32 with the weights handed over exactly, more with
 *     a lag ({@code rollout.max_staleness}) or a mismatched hand-over
 */
public record IterationResult(
    double policyLoss,
    double valueLoss,
    double entropy,
    double kl,
    double klCoef,
    double clipFraction,
    double approxKl,
    double gradNorm,
    int updates,
    int skipped,
    long tokens,
    LogProbGap logProbGap) {

  /**
   * |log pi_sampler - log pi_trainer| over the response tokens of an iteration (ALGORITHMS.md §3),
   * both at the sampling temperature, the trainer's before any update of the iteration.
   *
   * @param mean the token mean
   * @param max the largest
   */
  public record LogProbGap(double mean, double max) {
    /** No response was scored: both NaN. */
    static final LogProbGap NONE = new LogProbGap(Double.NaN, Double.NaN);

    /**
     * The gap between the sampler's log-probs of {@code sampled} and the {@code trainer}'s of the
     * same responses, row by row.
     */
    static LogProbGap between(List<ScoredResponse> sampled, double[][] trainer) {
      double sum = 0;
      double max = 0;
      long tokens = 0;
      for (int i = 0; i < trainer.length; i++) {
        float[] s = sampled.get(i).response().logProbs();
        for (int t = 0; t < s.length; t++) {
          double gap = Math.abs(s[t] - trainer[i][t]);
          sum += gap;
          max = Math.max(max, gap);
          tokens++;
        }
      }
      return tokens == 0 ? NONE : new LogProbGap(sum / tokens, max);
    }
  }

  /**
   * An iteration that made no update (raft accepted nothing): its losses and statistics are
   * undefined (NaN), its counts 0.
   */
  public static IterationResult noUpdate(double klCoef) {
    double none = Double.NaN;
    return new IterationResult(
        none, none, none, none, klCoef, none, none, none, 0, 0, 0, LogProbGap.NONE);
  }

  /** Sums of the minibatch updates of one iteration, averaged into its result. */
  static final class Totals {
    private double policyLoss;
    private double valueLoss;
    private double entropy;
    private double clipFraction;
    private double approxKl;
    private double gradNorm;
    private int updates;
    private int criticUpdates;
    private int skipped;
    private long tokens;

    /** Adds an actor update on {@code tokens} response tokens: one per minibatch. */
    void addActor(Actor.Step a, long tokens) {
      updates++;
      policyLoss += a.loss();
      entropy += a.entropy();
      clipFraction += a.clipFraction();
      approxKl += a.approxKl();
      gradNorm += a.gradNorm();
      skipped += a.applied() ? 0 : 1;
      this.tokens += tokens;
    }

    /** Adds a critic update (after the actor's, or alone during the critic's warm-up). */
    void addCritic(CriticUpdate.Outcome c) {
      criticUpdates++;
      valueLoss += c.loss();
      skipped += c.applied() ? 0 : 1;
    }

    /**
     * The means over the updates (the actor's statistics NaN when only the critic was updated, as
     * in ppo's critic warm-up); {@code hasCritic} false makes the value loss NaN.
     */
    IterationResult result(double kl, double klCoef, boolean hasCritic, LogProbGap logProbGap) {
      return new IterationResult(
          policyLoss / updates,
          hasCritic ? valueLoss / criticUpdates : Double.NaN,
          entropy / updates,
          kl,
          klCoef,
          clipFraction / updates,
          approxKl / updates,
          gradNorm / updates,
          updates,
          skipped,
          tokens,
          logProbGap);
    }
  }
}
