package dev.rlflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings of {@code rlflow compare}'s Monte Carlo variants. */
class CompareVariantsTest {
  private static final RunConfig BASE = RunConfigLoader.parse("", "base.yaml", Map.of());

  @Test
  void vinePpoValuesEveryStepWithOutcomeRewardsOnly() {
    assertThat(new CompareCommand().overrides("vineppo", BASE))
        .containsExactly(
            Map.entry("algorithm.name", "vineppo"), Map.entry("reward.step_weight", "0"));
  }

  @Test
  void omegaCreditIsVinePpoProbingTheFirstError() {
    Map<String, String> overrides = new CompareCommand().overrides("omega-credit-lag1", BASE);

    assertThat(overrides)
        .containsExactly(
            Map.entry("algorithm.name", "vineppo"),
            Map.entry("algorithm.mc_probes", "first_error"),
            Map.entry("reward.step_weight", "0"),
            Map.entry("rollout.max_staleness", "1"));
    Map<String, String> all = new HashMap<>(overrides);
    assertThat(RunConfigLoader.parse("", "base.yaml", all).algorithm().mcProbes().name())
        .isEqualTo("FIRST_ERROR");
  }
}
