package dev.rlflow.reward.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepAuditTest {
  private static final Prompt PROMPT =
      new Prompt(0, "arith-test-1", "start 16, *4, +8", "72", new int[] {1});

  @Test
  void countsAcceptedResponsesWhoseRightAnswerCameThroughAWrongStep() throws Exception {
    try (Tokenizer tokenizer = Tokenizers.load("char")) {
      List<ScoredResponse> scored =
          List.of(
              scored(tokenizer, "16 * 4 = 64\n64 + 8 = 72\nanswer: 72", true),
              // a compensating error: 16 * 4 is 64, and 68 + 8 is 76, yet the answer is right
              scored(tokenizer, "16 * 4 = 68\n68 + 8 = 72\nanswer: 72", true),
              // rejected responses are not counted, whatever their steps
              scored(tokenizer, "16 * 4 = 68\n68 + 8 = 76\nanswer: 76", false));

      assertThat(StepAudit.acceptedWithWrongStep(scored, tokenizer)).isEqualTo(1);
    }
  }

  private static ScoredResponse scored(Tokenizer tokenizer, String text, boolean correct) {
    int[] tokens = tokenizer.encode(text);
    Response r = new Response(PROMPT, tokens, new float[tokens.length], new int[0]);
    return ScoredResponse.outcomeOnly(r, correct, correct ? 1 : 0);
  }
}
