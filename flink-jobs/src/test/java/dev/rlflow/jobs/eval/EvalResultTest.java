package dev.rlflow.jobs.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.jobs.eval.EvalResult.ChainLength;
import dev.rlflow.jobs.eval.EvalResult.ProblemOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalResultTest {
  @TempDir java.nio.file.Path dir;

  private static final List<ProblemOutcome> OUTCOMES =
      List.of(
          new ProblemOutcome(2, 2, true, 4, 2, -2.0, 4),
          new ProblemOutcome(2, 1, false, 4, 0, -2.0, 4),
          new ProblemOutcome(3, 3, true, 4, 4, -2.0, 4),
          new ProblemOutcome(3, 0, false, 4, 1, -6.0, 4));

  @Test
  void aggregatesPerProblemOutcomes() {
    EvalResult result = EvalResult.of(OUTCOMES, List.of(2, 1));

    assertThat(result.problems()).isEqualTo(4);
    assertThat(result.accuracy()).isEqualTo(0.5);
    assertThat(result.stepAccuracy()).isEqualTo(0.625); // (2/2 + 1/2 + 3/3 + 0/3) / 4
    assertThat(result.bySteps())
        .containsExactly(new ChainLength(2, 2, 0.5, 0.75), new ChainLength(3, 2, 0.5, 0.5));
    assertThat(result.samplesPerProblem()).isEqualTo(4);
    assertThat(result.sampledAccuracy()).isEqualTo(0.4375); // (2/4 + 0 + 4/4 + 1/4) / 4
    assertThat(result.passAtK()).extracting(PassAtK::k).containsExactly(1, 2);
    assertThat(result.passAtK().get(0).value()).isEqualTo(0.4375);
    // (5/6 + 0 + 1 + 1/2) / 4
    assertThat(result.passAtK().get(1).value()).isCloseTo(7.0 / 12, within(1e-15));
    assertThat(result.referenceNll()).isEqualTo(0.75); // (2 + 2 + 2 + 6) / 16 tokens
  }

  @Test
  void withoutSamplesHasNoSampledFigures() {
    EvalResult result =
        EvalResult.of(List.of(new ProblemOutcome(1, 1, true, 0, 0, -2.0, 4)), List.of());

    assertThat(result.sampledAccuracy()).isNull();
    assertThat(result.passAtK()).isEmpty();
    assertThatThrownBy(
            () -> EvalResult.of(List.of(new ProblemOutcome(1, 1, true, 0, 0, -2.0, 4)), List.of(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid k=1 for pass@k: must be in [1, samples per problem=0]");
  }

  @Test
  void rejectsMixedSampleCountsAndInconsistentFigures() {
    assertThatThrownBy(
            () ->
                EvalResult.of(
                    List.of(
                        new ProblemOutcome(1, 1, true, 4, 0, -2.0, 4),
                        new ProblemOutcome(1, 1, true, 3, 0, -2.0, 4)),
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same number of samples");
    assertThatThrownBy(
            () ->
                new EvalResult(
                    3, 0.5, 0.5, List.of(new ChainLength(2, 2, 0.5, 0.5)), 0, null, List.of(), 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid by_steps: its problems add up to 2, not problems=3");
    assertThatThrownBy(() -> new EvalResult(1, 1.5, 0.5, List.of(), 0, null, List.of(), 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 1.5 for accuracy: must be in [0, 1]");
    assertThatThrownBy(() -> new ProblemOutcome(2, 3, true, 0, 0, -2.0, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("correctSteps=3, steps=2");
  }

  @Test
  void roundTripsThroughJson() throws IOException {
    EvalResult result = EvalResult.of(OUTCOMES, List.of(1, 2, 4));
    Path file = new Path(dir.resolve("eval.json").toUri());

    result.write(file);

    assertThat(EvalResult.read(file)).isEqualTo(result);
    EvalResult greedyOnly =
        EvalResult.of(List.of(new ProblemOutcome(5, 4, false, 0, 0, -2.0, 4)), List.of());
    greedyOnly.write(file);
    assertThat(EvalResult.read(file)).isEqualTo(greedyOnly);
  }

  @Test
  void writesTheDocumentedKeys() throws IOException {
    java.nio.file.Path file = dir.resolve("eval.json");
    EvalResult.of(OUTCOMES, List.of(1)).write(new Path(file.toUri()));

    JsonNode json = new ObjectMapper().readTree(Files.readString(file));
    assertThat(fieldNames(json))
        .containsExactly(
            "problems",
            "accuracy",
            "step_accuracy",
            "by_steps",
            "samples_per_problem",
            "sampled_accuracy",
            "pass_at_k",
            "reference_nll");
    assertThat(fieldNames(json.get("by_steps").get(0)))
        .containsExactly("steps", "problems", "accuracy", "step_accuracy");
    assertThat(fieldNames(json.get("pass_at_k").get(0))).containsExactly("k", "value");
    assertThat(json.get("step_accuracy").asDouble()).isEqualTo(0.625);
  }

  @Test
  void readRejectsMissingKeysAndBrokenRules() throws IOException {
    java.nio.file.Path file = dir.resolve("eval.json");
    Files.writeString(
        file,
        "{\"problems\": 2, \"step_accuracy\": 0.5, \"by_steps\": [], \"samples_per_problem\": 0,"
            + " \"sampled_accuracy\": null, \"pass_at_k\": []}");
    assertThatThrownBy(() -> EvalResult.read(new Path(file.toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("accuracy");

    Files.writeString(
        file,
        "{\"problems\": 2, \"accuracy\": 0.5, \"step_accuracy\": 0.5, \"by_steps\": [],"
            + " \"samples_per_problem\": 0, \"sampled_accuracy\": null, \"pass_at_k\": [],"
            + " \"reference_nll\": 0.5, \"added_later\": 1}");
    assertThatThrownBy(() -> EvalResult.read(new Path(file.toUri())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("add up to 0, not problems=2");
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
