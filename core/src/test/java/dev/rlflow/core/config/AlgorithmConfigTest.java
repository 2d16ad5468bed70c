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
}
