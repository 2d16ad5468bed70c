package dev.rlflow.training.rl;

/**
 * What one RL iteration did, averaged over its minibatch updates.
 *
 * @param policyLoss the actor's objective (PPO-clip, or raft's likelihood)
 * @param valueLoss clipped value loss (NaN without a critic)
 * @param entropy token-mean entropy of the policy
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
    long tokens) {

  /**
   * An iteration that made no update (raft accepted nothing): its losses and statistics are
   * undefined (NaN), its counts 0.
   */
  public static IterationResult noUpdate(double klCoef) {
    double none = Double.NaN;
    return new IterationResult(none, none, none, none, klCoef, none, none, none, 0, 0, 0);
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
    IterationResult result(double kl, double klCoef, boolean hasCritic) {
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
          tokens);
    }
  }
}
