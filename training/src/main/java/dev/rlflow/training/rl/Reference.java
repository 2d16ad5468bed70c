package dev.rlflow.training.rl;

import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.List;
import java.util.Objects;

/**
 * The frozen reference policy's role (veRL's {@code compute_ref_log_prob}): the log-prob of every
 * response token under the starting policy, which the KL penalty and the KL metric compare with, at
 * the rollout's temperature like the sampler's and the trainer's (ALGORITHMS.md §3).
 */
final class Reference {
  private final TransformerModel model;
  private final double temperature;

  /** The reference of {@code model} (LM head), which it never updates, at {@code temperature}. */
  Reference(TransformerModel model, double temperature) {
    this.model = Objects.requireNonNull(model, "reference");
    this.temperature = temperature;
  }

  /** Without gradients, log pi_ref of each response token of {@code batch}. */
  double[][] logProbs(List<ScoredResponse> batch) {
    return TokenScores.logProbs(model, batch, temperature);
  }
}
