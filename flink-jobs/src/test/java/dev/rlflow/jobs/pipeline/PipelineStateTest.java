package dev.rlflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipelineStateTest {
  private static final PipelineState START =
      PipelineState.initial(Optional.empty(), Optional.empty(), Map.of());

  @Test
  void anEvaluationGivesTheTrainingStageThatWroteThePolicyItsAccuracy() {
    PipelineState sft =
        START
            .trained(StageName.SFT, "ckpt/sft")
            .finished(new RunSummary.Stage(StageName.SFT, 10.0, figures("final_loss", 0.5)));
    PipelineState evaluated =
        sft.evaluated(0.625)
            .finished(new RunSummary.Stage(StageName.EVAL, 2.0, figures("accuracy", 0.625)));

    assertThat(evaluated.done().get(0).figures()).containsOnlyKeys("final_loss");
    List<RunSummary.Stage> summary = evaluated.summaryStages();
    assertThat(summary.get(0).figures())
        .containsExactly(Map.entry("final_loss", 0.5), entry(0.625));
    assertThat(summary.get(1).figures()).containsExactly(entry(0.625));
    assertThat(sft.accuracy()).isEmpty(); // the earlier state is unchanged
  }

  @Test
  void aGivenPolicyCreditsNoStageAndAStageWithoutPolicySaysHowToGiveOne() {
    PipelineState given = PipelineState.initial(Optional.of("ckpt"), Optional.empty(), Map.of());

    assertThat(given.evaluated(0.5).accuracy()).isEmpty();
    assertThat(given.policy("evaluate")).isEqualTo("ckpt");
    assertThatThrownBy(() -> START.policy("evaluate"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "No policy to evaluate: set policy.checkpoint (or --checkpoint), or run sft first");
  }

  @Test
  void prmsKeepTheOrderTheyBecameKnownIn() {
    PipelineState state =
        PipelineState.initial(Optional.empty(), Optional.empty(), Map.of("soft", "a"))
            .withPrm("hard", "b")
            .withPrm("soft", "c");

    assertThat(state.prms()).containsExactly(Map.entry("soft", "c"), Map.entry("hard", "b"));
  }

  private static Map.Entry<String, Double> entry(double accuracy) {
    return Map.entry("accuracy", accuracy);
  }

  private static Map<String, Double> figures(String name, double value) {
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put(name, value);
    return figures;
  }
}
