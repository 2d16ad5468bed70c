package dev.rlflow.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrmConfigTest {

  private static PrmConfig prm(String yaml) {
    return RunConfigLoader.parse(yaml, "test.yaml", Map.of()).prm();
  }

  private static List<String> problems(String yaml) {
    return catchThrowableOfType(
            InvalidConfigException.class, () -> RunConfigLoader.parse(yaml, "test.yaml", Map.of()))
        .problems();
  }

  @Test
  void gradientClipAndSkippedUpdatesDefaultToWhatPrmTrainAlwaysUsed() {
    PrmConfig prm = prm("");

    assertThat(prm.gradClip()).isEqualTo(1.0);
    assertThat(prm.maxSkippedUpdates()).isEqualTo(5);
  }

  @Test
  void gradientClipAndSkippedUpdatesAreRead() {
    PrmConfig prm = prm("prm: {grad_clip: 0.5, max_skipped_updates: 2}");

    assertThat(prm.gradClip()).isEqualTo(0.5);
    assertThat(prm.maxSkippedUpdates()).isEqualTo(2);
  }

  @Test
  void gradientClipMustBePositive() {
    assertThat(problems("prm: {grad_clip: 0}"))
        .containsExactly("Invalid value 0 for prm.grad_clip: must be > 0");
  }

  @Test
  void atLeastOneSkippedUpdateIsTolerated() {
    assertThat(problems("prm: {max_skipped_updates: 0}"))
        .containsExactly("Invalid value 0 for prm.max_skipped_updates: must be >= 1");
  }

  @Test
  void theSftKeysDoNotGovernPrmTrain() {
    PrmConfig prm = prm("sft: {grad_clip: 0.25, max_skipped_updates: 9}");

    assertThat(prm.gradClip()).isEqualTo(1.0);
    assertThat(prm.maxSkippedUpdates()).isEqualTo(5);
  }
}
