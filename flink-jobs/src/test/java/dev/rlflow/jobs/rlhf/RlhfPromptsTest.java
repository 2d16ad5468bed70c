package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.task.dataset.DeadLetter;
import dev.rlflow.jobs.policy.PromptFormat;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RL prompts longer than {@code policy.max_seq_len - rollout.max_new_tokens}: set aside with a
 * reason under {@code dead_letter}, cut from the left (keeping BOS) under {@code truncate}.
 */
class RlhfPromptsTest {
  private static final String YAML =
      """
      task:
        arith: {min_steps: 2, max_steps: 5, start_max: 20, operand_max: 9, max_value: 99}
      policy: {max_seq_len: 160}
      rollout: {prompts_per_batch: 8, iterations: 4}
      """;

  @Test
  void promptsOverTheLimitAreDeadLetteredWithTheRuleAndTheRestFillTheBatches() throws Exception {
    Fixture f = fixture("dead_letter");
    PromptPool pool = PromptPool.of(f.config(), f.problems(), f.tokenizer());
    assertThat(pool.deadLetters()).hasSize(f.tooLong());
    DeadLetter first = pool.deadLetters().get(0);
    assertThat(first.source()).isEqualTo("rlhf prompts");
    assertThat(first.reason())
        .contains("exceeds policy.max_seq_len - rollout.max_new_tokens = " + f.limit())
        .contains("rollout.prompt_overflow: dead_letter");
    for (int b = 0; b < 4; b++) {
      PromptBatch batch = pool.batch(b);
      assertThat(batch.prompts()).hasSize(8);
      for (Prompt p : batch.prompts()) {
        assertThat(p.tokens().length).isLessThanOrEqualTo(f.limit());
      }
    }
  }

  @Test
  void truncatedPromptsKeepBosAndTheirEnd() throws Exception {
    Fixture f = fixture("truncate");
    PromptPool pool = PromptPool.of(f.config(), f.problems(), f.tokenizer());
    assertThat(pool.deadLetters()).isEmpty();
    int cut = 0;
    for (int b = 0; b < 4; b++) {
      PromptBatch batch = pool.batch(b);
      for (Prompt p : batch.prompts()) {
        int[] full = PromptFormat.prompt(f.tokenizer(), p.question());
        if (full.length > f.limit()) {
          cut++;
          assertThat(p.tokens()).hasSize(f.limit());
          assertThat(p.tokens()[0]).isEqualTo(full[0]);
          assertThat(Arrays.copyOfRange(p.tokens(), 1, f.limit()))
              .containsExactly(Arrays.copyOfRange(full, full.length - f.limit() + 1, full.length));
        } else {
          assertThat(p.tokens()).containsExactly(full);
        }
      }
    }
    assertThat(cut).isPositive();
  }

  @Test
  void noPromptLeftIsAClearError() throws Exception {
    Fixture f = fixture("dead_letter", "rollout.max_new_tokens", "150");
    assertThatThrownBy(() -> PromptPool.of(f.config(), f.problems(), f.tokenizer()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No RL prompt fits policy.max_seq_len - rollout.max_new_tokens = 10");
  }

  /** 32 problems and a max_new_tokens that puts the limit at their median prompt length. */
  private record Fixture(
      RunConfig config,
      List<ProblemRecord> problems,
      Tokenizer tokenizer,
      int limit,
      int tooLong) {}

  private static Fixture fixture(String overflow, String... extra) throws Exception {
    RunConfig base = RunConfigLoader.parse(YAML, "prompts.yaml", Map.of());
    List<ProblemRecord> problems = TaskData.prompts(base, 32).problems();
    Tokenizer tokenizer = Tokenizers.load(base.policy().tokenizer());
    int[] lengths =
        problems.stream()
            .mapToInt(p -> PromptFormat.prompt(tokenizer, p.question()).length)
            .sorted()
            .toArray();
    int limit = lengths[lengths.length / 2];
    int tooLong = (int) Arrays.stream(lengths).filter(l -> l > limit).count();
    assertThat(tooLong).as("prompts over the median length").isPositive();
    Map<String, String> overrides =
        extra.length == 0
            ? Map.of(
                "rollout.prompt_overflow",
                overflow,
                "rollout.max_new_tokens",
                Integer.toString(160 - limit))
            : Map.of("rollout.prompt_overflow", overflow, extra[0], extra[1]);
    RunConfig config = RunConfigLoader.parse(YAML, "prompts.yaml", overrides);
    return new Fixture(config, problems, tokenizer, 160 - config.rollout().maxNewTokens(), tooLong);
  }
}
