package dev.rlflow.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeySuggestionTest {
  private static final List<String> KEYS =
      List.of(
          "eval.temperature",
          "rollout.temperature",
          "rollout.top_p",
          "algorithm.clip_ratio",
          "run.seed");

  @Test
  void editDistanceIsLevenshtein() {
    assertThat(KeySuggestion.editDistance("kitten", "sitting")).isEqualTo(3);
    assertThat(KeySuggestion.editDistance("", "abc")).isEqualTo(3);
    assertThat(KeySuggestion.editDistance("same", "same")).isZero();
  }

  @Test
  void suggestsTyposAndMovedKeysButNotStrangers() {
    assertThat(KeySuggestion.closest("rollout.temprature", KEYS)).contains("rollout.temperature");
    assertThat(KeySuggestion.closest("rolout.temperature", KEYS)).contains("rollout.temperature");
    assertThat(KeySuggestion.closest("rollout.top_q", KEYS)).contains("rollout.top_p");
    assertThat(KeySuggestion.closest("ppo.clip_ratio", KEYS)).contains("algorithm.clip_ratio");
    assertThat(KeySuggestion.closest("run.sed", KEYS)).contains("run.seed");
    assertThat(KeySuggestion.closest("wandb.project", KEYS)).isEmpty();
  }
}
