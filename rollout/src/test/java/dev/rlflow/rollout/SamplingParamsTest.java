package dev.rlflow.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {
  @Test
  void invalidValuesNameTheFieldTheValueAndTheRule() {
    assertThatThrownBy(() -> new SamplingParams(-0.5, 0, 1, 8, Set.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value -0.5 for temperature: must be finite and >= 0 (0 is greedy)");
    assertThatThrownBy(() -> new SamplingParams(Double.NaN, 0, 1, 8, Set.of(), List.of()))
        .hasMessageStartingWith("Invalid value NaN for temperature");
    assertThatThrownBy(() -> new SamplingParams(1, -1, 1, 8, Set.of(), List.of()))
        .hasMessage("Invalid value -1 for topK: must be >= 0 (0 keeps all tokens)");
    assertThatThrownBy(() -> new SamplingParams(1, 0, 0, 8, Set.of(), List.of()))
        .hasMessage("Invalid value 0.0 for topP: must be in (0, 1] (1 keeps all tokens)");
    assertThatThrownBy(() -> new SamplingParams(1, 0, 1.5, 8, Set.of(), List.of()))
        .hasMessage("Invalid value 1.5 for topP: must be in (0, 1] (1 keeps all tokens)");
    assertThatThrownBy(() -> new SamplingParams(1, 0, 1, 0, Set.of(), List.of()))
        .hasMessage("Invalid value 0 for maxNewTokens: must be >= 1");
    assertThatThrownBy(() -> new SamplingParams(1, 0, 1, 8, Set.of(-2), List.of()))
        .hasMessage("Invalid value [-2] for stopTokenIds: must be token ids >= 0");
    assertThatThrownBy(() -> new SamplingParams(1, 0, 1, 8, Set.of(), List.of("")))
        .hasMessage("Invalid value [] for stopStrings: must be non-empty strings");
  }

  @Test
  void greedyIsTemperatureZero() {
    assertThat(SamplingParams.greedy(5).isGreedy()).isTrue();
    assertThat(SamplingParams.greedy(5).withMaxNewTokens(9))
        .isEqualTo(new SamplingParams(0, 0, 1, 9, Set.of(), List.of()));
  }

  @Test
  void withTemperatureKeepsTheRest() {
    SamplingParams p = new SamplingParams(0.7, 5, 0.9, 12, Set.of(3), List.of("##"));
    assertThat(p.withTemperature(1.0))
        .isEqualTo(new SamplingParams(1.0, 5, 0.9, 12, Set.of(3), List.of("##")));
    assertThatThrownBy(() -> p.withTemperature(-1))
        .hasMessageStartingWith("Invalid value -1.0 for temperature");
  }

  @Test
  void requestsAreValidatedAndComparedByContent() {
    SamplingParams p = SamplingParams.greedy(4);
    assertThatThrownBy(() -> new GenerationRequest(" ", new int[] {1}, 1, p))
        .hasMessage("Invalid value ' ' for requestId: must be non-blank");
    assertThatThrownBy(() -> new GenerationRequest("q", new int[0], 1, p))
        .hasMessage("Invalid prefix for request q: must have at least one token");
    assertThatThrownBy(() -> new GenerationRequest("q", new int[] {1}, 0, p))
        .hasMessageStartingWith("Invalid value 0 for samples of request q");
    assertThatThrownBy(() -> new GenerationRequest("q", new int[] {1}, -1, 1, p))
        .hasMessageStartingWith("Invalid value -1 for firstSample of request q");
    int[] prefix = {1, 2};
    GenerationRequest request = new GenerationRequest("q", prefix, 2, p);
    prefix[0] = 9;
    assertThat(request).isEqualTo(new GenerationRequest("q", new int[] {1, 2}, 0, 2, p));
  }
}
