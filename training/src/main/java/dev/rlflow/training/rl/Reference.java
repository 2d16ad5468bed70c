package dev.rlflow.training.rl;

import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.List;
import java.util.Objects;

/**
 * The frozen reference policy's role (veRL's {@code compute_ref_log_prob}): the log-prob of every
 * response token under the starting policy, which the KL penalty and the KL metric compare with.
 */
final class Reference {
  private final TransformerModel model;

  /** The reference of {@code model} (LM head), which it never updates. */
  Reference(TransformerModel model) {
    this.model = Objects.requireNonNull(model, "reference");
  }

  /** Without gradients, log pi_ref of each response token of {@code batch}. */
  double[][] logProbs(List<ScoredResponse> batch) {
    return TokenScores.logProbs(model, batch);
  }
}
