package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.jobs.policy.PolicyCompleter;
import dev.rlflow.model.tokenizer.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepValuesTest {
  private static final CharTokenizer TOKENIZER = new CharTokenizer();

  @Test
  void blankSegmentsJoinTheStepAfterThemAndTheStopTokenTheLastStep() {
    // Sampled segments: "1+2=3\n" | "\n" | "4+1=5\n" | "answer: 5\n" | <eos>, ending at tokens
    // 5, 6, 12, 22, 23. Steps: "1+2=3", "\n4+1=5", the answer line with the stop token.
    String text = "1+2=3\n\n4+1=5\nanswer: 5\n";
    Response r = response(text, new int[] {5, 6, 12, 22, 23});
    List<String> texts = new ArrayList<>();

    int[] ends = StepValues.steps(r, TOKENIZER, texts);

    assertThat(ends).containsExactly(5, 12, 23);
    assertThat(texts).containsExactly("1+2=3", "\n4+1=5", "answer: 5");
    // A prefix and its continuation are the sampled text again, as the verifier reads it.
    assertThat(PolicyCompleter.solution(texts.subList(0, 2), "answer: 5\n")).isEqualTo(text);
  }

  @Test
  void aResponseWithNothingButBlanksIsOneStep() {
    Response r = response("\n", new int[] {0, 1});
    List<String> texts = new ArrayList<>();

    assertThat(StepValues.steps(r, TOKENIZER, texts)).containsExactly(1);
    assertThat(texts).containsExactly("");
  }

  /** {@code text} and a stop token as a sampled response with {@code stepEnds}. */
  private static Response response(String text, int[] stepEnds) {
    int[] chars = TOKENIZER.encode(text);
    int[] tokens = Arrays.copyOf(chars, chars.length + 1);
    tokens[chars.length] = TOKENIZER.eosId();
    Prompt prompt = new Prompt(0, "p", "q", "5", new int[] {TOKENIZER.bosId()});
    return new Response(prompt, tokens, new float[tokens.length], stepEnds);
  }
}
