package dev.rlflow.training.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.Autograd;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.optim.GuardedUpdate;
import dev.rlflow.training.sft.SftBatch;
import java.util.List;
import java.util.Map;

/**
 * The critic's role (veRL's {@code compute_values} and {@code update_critic}): the value of the
 * state before every response token, and one optimizer update of the clipped value loss against the
 * returns on a minibatch.
 */
final class CriticUpdate implements AutoCloseable {

  /**
   * What one critic update did.
   *
   * @param loss the clipped value loss
   * @param applied false when the update was skipped as non-finite
   */
  record Outcome(double loss, boolean applied) {}

  private final TransformerModel critic;
  private final AlgorithmConfig algorithm;
  private final int padId;
  private final GuardedUpdate update;

  /** The update of {@code critic} (value head); it owns its optimizer. */
  CriticUpdate(
      TransformerModel critic, AlgorithmConfig algorithm, AdamW.Hyperparameters hp, int padId) {
    this.critic = critic;
    this.algorithm = algorithm;
    this.padId = padId;
    this.update =
        new GuardedUpdate(
            critic.manager(), hp, algorithm.gradClip(), algorithm.maxSkippedUpdates());
  }

  /** Without gradients, the critic's value of each response token of {@code batch}. */
  double[][] values(List<ScoredResponse> batch) {
    return TokenScores.values(critic, batch);
  }

  /** One update on {@code mb}. */
  Outcome update(Minibatch mb) {
    Map<String, NDArray> params = critic.weights();
    long step = update.optimizer().steps();
    try (NDManager scope = critic.manager().newSubManager()) {
      try {
        SftBatch sb = mb.batch(padId, scope);
        Shape shape = sb.mask().getShape();
        NDArray oldV = mb.perToken(r -> r.experience().values(), shape, scope);
        NDArray returns = mb.perToken(r -> r.estimate().returns(), shape, scope);
        double loss;
        try (GradientCollector collector = Autograd.collector()) {
          NDArray v = critic.forward(sb.input(critic.dtype()), null, true).output();
          NDArray l = PpoLoss.value(v, oldV, returns, sb.mask(), algorithm.valueClip());
          collector.backward(l);
          loss = l.getFloat();
        }
        GuardedUpdate.Outcome outcome =
            update.apply(params, step, loss, algorithm.criticLr(), scope);
        return new Outcome(loss, outcome.applied());
      } finally {
        AdamW.zeroGradients(params.values());
      }
    }
  }

  TransformerModel critic() {
    return critic;
  }

  AdamW optimizer() {
    return update.optimizer();
  }

  /** Frees the optimizer's moments; the critic stays open. */
  @Override
  public void close() {
    update.close();
  }
}
