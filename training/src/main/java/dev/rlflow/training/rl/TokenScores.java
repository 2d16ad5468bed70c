package dev.rlflow.training.rl;

import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.TeacherForcedScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Per-response-token scores of a batch by teacher forcing through the rollout's {@link
 * TeacherForcedScorer}: a language model's log-probs or a critic's values, widened to double.
 */
final class TokenScores {
  /** Sequences per forward pass. */
  private static final int SCORING_BATCH = 64;

  private static final TeacherForcedScorer SCORER = new TeacherForcedScorer(SCORING_BATCH);

  private TokenScores() {}

  /**
   * log pi_T(token) of each response token under {@code lm} at the sampling {@code temperature} T:
   * the distribution the rollout drew from.
   */
  static double[][] logProbs(TransformerModel lm, List<ScoredResponse> batch, double temperature) {
    return score(
        batch, (prompts, responses) -> SCORER.logProbs(lm, prompts, responses, temperature));
  }

  /** {@code critic}'s value of the state before each response token. */
  static double[][] values(TransformerModel critic, List<ScoredResponse> batch) {
    return score(batch, (prompts, responses) -> SCORER.values(critic, prompts, responses));
  }

  private static double[][] score(
      List<ScoredResponse> batch, BiFunction<List<int[]>, List<int[]>, float[][]> scorer) {
    List<int[]> prompts = new ArrayList<>(batch.size());
    List<int[]> responses = new ArrayList<>(batch.size());
    for (ScoredResponse r : batch) {
      prompts.add(r.prompt().tokens());
      responses.add(r.response().tokens());
    }
    float[][] scores = scorer.apply(prompts, responses);
    double[][] out = new double[scores.length][];
    for (int i = 0; i < scores.length; i++) {
      out[i] = widen(scores[i]);
    }
    return out;
  }

  /** {@code values} as doubles. */
  static double[] widen(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
