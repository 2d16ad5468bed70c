package dev.rlflow.training.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.AlgorithmConfig.KlPlacement;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.SamplingTemperature;
import dev.rlflow.training.Autograd;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.optim.GuardedUpdate;
import dev.rlflow.training.schedule.LearningRateSchedule;
import dev.rlflow.training.sft.SftBatch;
import dev.rlflow.training.sft.SftLoss;
import java.util.List;
import java.util.Map;

/**
 * The actor's update step (veRL's {@code update_policy}): one optimizer update of the policy on a
 * minibatch, its loss the {@link PolicyLoss} the algorithm names, minus the entropy bonus, plus the
 * KL penalty to the reference when KL is placed in the loss, at a learning rate that warms up
 * linearly over {@code algorithm.lr_warmup_updates} updates (ALGORITHMS.md §4). Log-probs and
 * entropy are of the logits divided by the rollout's temperature, the distribution the samples were
 * drawn from (ALGORITHMS.md §3).
 */
final class Actor implements AutoCloseable {

  /**
   * What one update did.
   *
   * @param loss the objective's value
   * @param entropy token-mean entropy over the counted tokens, at the sampling temperature
   * @param clipFraction share of counted tokens whose ratio was clipped
   * @param approxKl k3 estimate of KL(pi_old || pi_theta) per counted token
   * @param gradNorm gradient norm before clipping
   * @param applied false when the update was skipped as non-finite
   */
  record Step(
      double loss,
      double entropy,
      double clipFraction,
      double approxKl,
      double gradNorm,
      boolean applied) {}

  private final TransformerModel policy;
  private final AlgorithmConfig algorithm;
  private final PolicyLoss loss;
  private final int padId;
  private final double temperature;
  private final LearningRateSchedule lr;
  private final GuardedUpdate update;

  /**
   * The actor of {@code policy} (LM head) sampled at {@code temperature}; it owns its optimizer.
   */
  Actor(
      TransformerModel policy,
      AlgorithmConfig algorithm,
      AdamW.Hyperparameters hp,
      int padId,
      double temperature) {
    this.policy = policy;
    this.algorithm = algorithm;
    this.loss = PolicyLoss.of(algorithm.name());
    this.padId = padId;
    this.temperature = temperature;
    // Warm-up by the optimizer's step count, which a checkpoint restores: an exact resume.
    this.lr = new LearningRateSchedule.Constant(algorithm.actorLr(), algorithm.lrWarmupUpdates());
    this.update =
        new GuardedUpdate(
            policy.manager(), hp, algorithm.gradClip(), algorithm.maxSkippedUpdates());
  }

  /** One update on {@code mb} with KL coefficient {@code beta}. */
  Step update(Minibatch mb, double beta) {
    Map<String, NDArray> params = policy.weights();
    long step = update.optimizer().steps();
    try (NDManager scope = policy.manager().newSubManager()) {
      try {
        SftBatch sb = mb.batch(padId, scope);
        Shape shape = sb.mask().getShape();
        NDArray old = mb.perToken(r -> r.experience().logProbs(), shape, scope);
        NDArray adv = mb.perToken(r -> r.estimate().advantages(), shape, scope);
        NDArray mask = loss.tokenMask(sb.mask(), adv);
        double value;
        double entropy;
        PpoLoss.Policy p;
        try (GradientCollector collector = Autograd.collector()) {
          NDArray logits = // (B, T, V), tempered
              SamplingTemperature.divide(
                  policy.forward(sb.input(policy.dtype()), null, true).output(),
                  temperature,
                  scope);
          NDArray logProbs = SftLoss.tokenLosses(logits, sb.targets(), sb.mask()).neg();
          p = PpoLoss.policy(logProbs, old, adv, mask, algorithm.clipRatio());
          NDArray ent = PpoLoss.entropy(logits, mask);
          NDArray objective = loss.objective(p, logProbs, mask);
          NDArray total = objective;
          if (algorithm.entropyCoef() > 0) {
            total = total.sub(ent.mul(scope.full(new Shape(), (float) algorithm.entropyCoef())));
          }
          if (algorithm.effectiveKlPlacement() == KlPlacement.LOSS && beta > 0) {
            NDArray refLp = mb.perToken(r -> r.experience().refLogProbs(), shape, scope);
            NDArray klLoss = PpoLoss.kl(algorithm.klEstimator(), logProbs, refLp, mask);
            total = total.add(klLoss.mul(scope.full(new Shape(), (float) beta)));
          }
          collector.backward(total);
          value = objective.getFloat();
          entropy = ent.getFloat();
        }
        GuardedUpdate.Outcome outcome = update.apply(params, step, value, lr.lr(step), scope);
        return new Step(
            value, entropy, p.clipFraction(), p.approxKl(), outcome.gradNorm(), outcome.applied());
      } finally {
        AdamW.zeroGradients(params.values());
      }
    }
  }

  /**
   * Without gradients, the policy's log-prob of each response token of {@code batch} at the
   * sampling temperature: what this actor's next update starts from.
   */
  double[][] logProbs(List<ScoredResponse> batch) {
    return TokenScores.logProbs(policy, batch, temperature);
  }

  TransformerModel policy() {
    return policy;
  }

  AdamW optimizer() {
    return update.optimizer();
  }

  /** Frees the optimizer's moments; the policy stays open. */
  @Override
  public void close() {
    update.close();
  }
}
