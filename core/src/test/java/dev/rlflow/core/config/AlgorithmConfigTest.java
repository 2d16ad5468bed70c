package dev.rlflow.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlgorithmConfigTest {

  private static RunConfig parse(String yaml) {
    return RunConfigLoader.parse(yaml, "test.yaml", Map.of());
  }

  private static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (InvalidConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected InvalidConfigException for:\n" + yaml);
  }

  @Test
  void gradClipAndSkippedUpdatesDefaultToTheSftValues() {
    RunConfig config = parse("");
    assertThat(config.algorithm().gradClip()).isEqualTo(1.0).isEqualTo(config.sft().gradClip());
    assertThat(config.algorithm().maxSkippedUpdates())
        .isEqualTo(3)
        .isEqualTo(config.sft().maxSkippedUpdates());
  }

  @Test
  void eachSectionGovernsItsOwnClipAndSkips() {
    RunConfig config =
        parse(
            "sft: {grad_clip: 0.5, max_skipped_updates: 7}\n"
                + "algorithm: {grad_clip: 2.0, max_skipped_updates: 1}\n");
    assertThat(config.sft().gradClip()).isEqualTo(0.5);
    assertThat(config.sft().maxSkippedUpdates()).isEqualTo(7);
    assertThat(config.algorithm().gradClip()).isEqualTo(2.0);
    assertThat(config.algorithm().maxSkippedUpdates()).isEqualTo(1);

    RunConfig sftOnly = parse("sft: {grad_clip: 0.5, max_skipped_updates: 7}\n");
    assertThat(sftOnly.algorithm().gradClip()).isEqualTo(1.0);
    assertThat(sftOnly.algorithm().maxSkippedUpdates()).isEqualTo(3);
  }

  @Test
  void gradClipAndSkippedUpdatesAreValidatedLikeSfts() {
    assertThat(problems("algorithm: {grad_clip: 0}"))
        .containsExactly("Invalid value 0 for algorithm.grad_clip: must be > 0");
    assertThat(problems("algorithm: {max_skipped_updates: 0}"))
        .containsExactly("Invalid value 0 for algorithm.max_skipped_updates: must be >= 1");
    assertThat(problems("sft: {grad_clip: 0}"))
        .containsExactly("Invalid value 0 for sft.grad_clip: must be > 0");
  }

  @Test
  void vinePpoDefaultsToFourRolloutsFromEveryStepWithKlInTheLoss() {
    AlgorithmConfig a = parse("algorithm: {name: vineppo}").algorithm();
    assertThat(a.name()).isEqualTo(AlgorithmConfig.Name.VINEPPO);
    assertThat(a.mcRollouts()).isEqualTo(4);
    assertThat(a.mcProbes()).isEqualTo(AlgorithmConfig.McProbes.EVERY_STEP);
    assertThat(a.effectiveKlPlacement()).isEqualTo(AlgorithmConfig.KlPlacement.LOSS);
    assertThat(
            parse("algorithm: {name: vineppo, mc_rollouts: 8, mc_probes: first_error}")
                .algorithm()
                .mcProbes())
        .isEqualTo(AlgorithmConfig.McProbes.FIRST_ERROR);
  }

  @Test
  void monteCarloKeysAreRefusedForTheAlgorithmsThatWouldIgnoreThem() {
    assertThat(problems("algorithm: {name: grpo, mc_rollouts: 8}"))
        .containsExactly(
            "Invalid value 8 for algorithm.mc_rollouts: must be left at its default 4 unless"
                + " algorithm.name is vineppo, not grpo");
    assertThat(problems("algorithm: {mc_probes: first_error}"))
        .containsExactly(
            "Invalid value first_error for algorithm.mc_probes: must be left at its default"
                + " every_step unless algorithm.name is vineppo, not ppo");
    assertThat(problems("algorithm: {name: vineppo, mc_rollouts: 0}"))
        .containsExactly("Invalid value 0 for algorithm.mc_rollouts: must be >= 1");
  }

  @Test
  void vinePpoRefusesWhatItCannotRun() {
    assertThat(problems("algorithm: {name: vineppo, kl_placement: reward}"))
        .containsExactly(
            "Invalid value reward for algorithm.kl_placement: must be auto or loss when"
                + " algorithm.name is vineppo (its advantages come from Monte Carlo step values,"
                + " not from token rewards)");
    assertThat(problems("algorithm: {name: vineppo, macro_actions: step}"))
        .containsExactly(
            "Invalid value step for algorithm.macro_actions: must be none unless algorithm.name is"
                + " ppo (macro actions segment GAE), not vineppo");
    assertThat(problems("algorithm: {name: vineppo}\nrollout: {samples_per_prompt: 1}"))
        .containsExactly(
            "Invalid value 1 for rollout.samples_per_prompt: must be >= 2 when algorithm.name is"
                + " vineppo (its baseline compares the samples of one prompt)");
  }
}
