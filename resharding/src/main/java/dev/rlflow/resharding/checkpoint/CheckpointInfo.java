package dev.rlflow.resharding.checkpoint;

import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * What a version's index records besides its tensors (STYLE.md principle 5).
 *
 * @param provenance run id, config hash, seed and code version of the run that wrote it
 * @param policyVersion the policy version (or optimizer step) the tensors belong to
 * @param model the model's shape for policy, critic and PRM checkpoints, so that {@code rlflow
 *     checkpoint convert} can write a Hugging Face directory; empty for anything else
 */
public record CheckpointInfo(
    Provenance provenance, long policyVersion, Optional<ModelConfig> model) {

  public CheckpointInfo {
    Objects.requireNonNull(provenance, "provenance");
    Objects.requireNonNull(model, "model");
    if (policyVersion < 0) {
      throw new IllegalArgumentException(
          "Invalid value " + policyVersion + " for policyVersion: must be >= 0");
    }
  }
}
