package dev.rlflow.reward.verifier;

import dev.rlflow.core.config.RewardConfig;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.tokenizer.Tokenizer;
import java.util.List;

/**
 * How often the outcome verifier rewards a right answer reached through a wrong step: of the
 * responses it accepted, those the arith task's ground-truth step checker rejects. A measurement
 * only, never a training signal (the step checker is what measures process supervision here): it
 * shows why an answer-only reward teaches less than a step-checked one, since every such response
 * is trained on as if each of its steps were right.
 */
public final class StepAudit {

  private StepAudit() {}

  /**
   * The number of {@code scored} responses the verifier accepted ({@link ScoredResponse#correct})
   * that have a wrong step; the prompts must be arith problems.
   */
  public static int acceptedWithWrongStep(List<ScoredResponse> scored, Tokenizer tokenizer) {
    int count = 0;
    for (ScoredResponse r : scored) {
      if (!r.correct()) {
        continue;
      }
      Prompt p = r.prompt();
      OutcomeVerifier steps =
          OutcomeVerifier.of(
              RewardConfig.Verifier.ARITH_STEPS, p.problemId(), p.question(), p.answer());
      if (!steps.correct(tokenizer.decode(r.response().tokens()))) {
        count++;
      }
    }
    return count;
  }
}
