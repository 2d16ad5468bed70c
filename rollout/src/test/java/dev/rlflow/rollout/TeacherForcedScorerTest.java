package dev.rlflow.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeacherForcedScorerTest {
  private static final List<int[]> PROMPTS =
      List.of(new int[] {1, 2, 3}, new int[] {4}, new int[] {5, 6, 7, 8, 9, 10});
  private static final List<int[]> RESPONSES =
      List.of(new int[] {11, 12}, new int[] {13, 14, 15, 16, 17}, new int[0]);

  @Test
  void logProbsOfABatchEqualThoseOfEachSequenceAloneAtTheSamplingTemperature() {
    try (TransformerModel lm = TinyPolicies.random(TransformerModel.Head.LM, 5)) {
      float[][] batched = new TeacherForcedScorer(2).logProbs(lm, PROMPTS, RESPONSES, 0.7);
      for (int i = 0; i < PROMPTS.size(); i++) {
        int[] prompt = PROMPTS.get(i);
        int[] response = RESPONSES.get(i);
        float[] logits = alone(lm, prompt, response); // (L * V)
        int v = TinyPolicies.VOCAB;
        assertThat(batched[i]).hasSameSizeAs(response);
        for (int j = 0; j < response.length; j++) {
          int position = prompt.length + j - 1;
          float[] row = Arrays.copyOfRange(logits, position * v, (position + 1) * v);
          assertThat(batched[i][j])
              .as("sequence %d token %d", i, j)
              .isCloseTo(TokenSampler.logProb(row, response[j], 0.7), within(1e-5f));
        }
      }
    }
  }

  @Test
  void valuesAreReadAtThePositionBeforeEachResponseToken() {
    try (TransformerModel critic = TinyPolicies.randomCritic(6)) {
      // A non-zero head bias would hide an off-by-one only if values were constant; they are not.
      float[][] batched = new TeacherForcedScorer(8).values(critic, PROMPTS, RESPONSES);
      for (int i = 0; i < PROMPTS.size(); i++) {
        float[] values = alone(critic, PROMPTS.get(i), RESPONSES.get(i)); // (L)
        float[] expected =
            Arrays.copyOfRange(
                values,
                PROMPTS.get(i).length - 1,
                PROMPTS.get(i).length - 1 + RESPONSES.get(i).length);
        assertThat(batched[i]).containsExactly(expected, within(1e-5f));
      }
    }
  }

  @Test
  void rejectsMismatchedInputs() {
    TeacherForcedScorer scorer = new TeacherForcedScorer(4);
    try (TransformerModel critic = TinyPolicies.random(TransformerModel.Head.VALUE, 6)) {
      assertThatThrownBy(() -> scorer.logProbs(critic, PROMPTS, RESPONSES))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid model head VALUE: this score needs a LM head");
      assertThatThrownBy(() -> scorer.values(critic, PROMPTS, RESPONSES.subList(0, 2)))
          .hasMessage("3 prompts but 2 responses: must be equal");
      assertThatThrownBy(() -> scorer.values(critic, List.of(new int[60]), List.of(new int[5])))
          .hasMessage("Sequence 0 has 65 tokens, more than the model's maxSeqLen 64");
      assertThatThrownBy(() -> scorer.values(critic, List.of(new int[0]), List.of(new int[1])))
          .hasMessage("Prompt 0 is empty: must have >= 1 token");
    }
    assertThatThrownBy(() -> new TeacherForcedScorer(0))
        .hasMessage("Invalid value 0 for maxBatch: must be >= 1");
  }

  /** The model's output for prompt + response on its own, flattened. */
  private static float[] alone(TransformerModel model, int[] prompt, int[] response) {
    long[] tokens = new long[prompt.length + response.length];
    for (int t = 0; t < tokens.length; t++) {
      tokens[t] = t < prompt.length ? prompt[t] : response[t - prompt.length];
    }
    try (NDManager step = model.manager().newSubManager()) {
      NDArray input = step.create(tokens, new Shape(1, tokens.length));
      return model
          .forward(
              ModelInput.of(input, step.ones(new Shape(1, tokens.length)), DataType.FLOAT32),
              null,
              false)
          .output()
          .toFloatArray();
    }
  }
}
