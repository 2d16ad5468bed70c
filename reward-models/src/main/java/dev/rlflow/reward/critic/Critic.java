package dev.rlflow.reward.critic;

import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.TeacherForcedScorer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The critic of PPO: the policy's backbone with a scalar value head, V(state) for the state before
 * every response token. It shares the process reward model's code path: the same transformer with
 * another head, read in one forward pass by the same {@link TeacherForcedScorer}. The model is
 * owned: close it.
 */
public final class Critic implements AutoCloseable {
  private final TransformerModel model;
  private final TeacherForcedScorer scorer;

  public Critic(TransformerModel model, int maxBatch) {
    if (model.head() != TransformerModel.Head.VALUE) {
      throw new IllegalArgumentException("A critic needs a VALUE head, not " + model.head());
    }
    this.model = model;
    this.scorer = new TeacherForcedScorer(maxBatch);
  }

  /**
   * A critic initialised from the policy checkpoint in {@code policyDir}: its backbone, and a value
   * head drawn from {@code seed}.
   */
  public static Critic fromPolicy(Path policyDir, ComputeTarget target, long seed, int maxBatch)
      throws IOException {
    return new Critic(
        TransformerModel.load(policyDir, TransformerModel.Head.VALUE, target, seed), maxBatch);
  }

  /** V of the state before each response token, one row per (prompt, response) pair. */
  public float[][] values(List<int[]> prompts, List<int[]> responses) {
    return scorer.values(model, prompts, responses);
  }

  public TransformerModel model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
  }
}
