package dev.rlflow.core.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code rollout} section: how the actor samples responses.
 *
 * @param promptsPerBatch prompts in one RL iteration (batch index b)
 * @param samplesPerPrompt responses per prompt (the group of GRPO and RLOO)
 * @param temperature softmax temperature, {@code > 0}
 * @param topK keep the k most likely tokens; 0 keeps all, the only value RL accepts
 * @param topP nucleus sampling mass; 1 keeps all, the only value RL accepts
 * @param maxNewTokens longest response in tokens
 * @param maxStaleness the fixed lag s: batch b is generated with policy version max(0, b - s)
 * @param iterations RL iterations of a run (batches b = 0 .. iterations - 1)
 * @param promptOverflow what happens to a prompt too long for the model
 * @param versionTimeout how long a rollout waits for the policy version its batch needs
 * @param timeBudget the trainer's wall time after which it ends the run early, or zero for none
 */
public record RolloutConfig(
    int promptsPerBatch,
    int samplesPerPrompt,
    double temperature,
    int topK,
    double topP,
    int maxNewTokens,
    int maxStaleness,
    int iterations,
    PromptOverflow promptOverflow,
    Duration versionTimeout,
    Duration timeBudget) {

  /** What the rollout does with a prompt that leaves no room for {@code max_new_tokens}. */
  public enum PromptOverflow {
    /** Keep the prompt's last tokens (after bos) so that it fits. */
    TRUNCATE,
    /** Set the prompt aside in the run's dead-letter file with the reason. */
    DEAD_LETTER
  }

  static final ConfigOption<Integer> PROMPTS_PER_BATCH =
      ConfigOption.of(
          "rollout.prompts_per_batch",
          ValueType.INT,
          32,
          Rule.atLeast(1),
          "Prompts per RL iteration (one batch index b).");
  static final ConfigOption<Integer> SAMPLES_PER_PROMPT =
      ConfigOption.of(
          "rollout.samples_per_prompt",
          ValueType.INT,
          4,
          Rule.atLeast(1),
          "Responses sampled per prompt; the group size of grpo and rloo.");
  static final ConfigOption<Double> TEMPERATURE =
      ConfigOption.of(
          "rollout.temperature",
          ValueType.DOUBLE,
          1.0,
          Rule.above(0.0),
          "Sampling temperature T. The sampler's, the trainer's and the reference's log-probs and"
              + " the entropy are all of softmax(logits / T), the distribution sampled.");
  static final ConfigOption<Integer> TOP_K =
      ConfigOption.of(
          "rollout.top_k",
          ValueType.INT,
          0,
          Rule.atLeast(0),
          "Sample among the k most likely tokens; 0 disables the cut. RL accepts only 0: the"
              + " trainer's log-probs do not apply the cut.");
  static final ConfigOption<Double> TOP_P =
      ConfigOption.of(
          "rollout.top_p",
          ValueType.DOUBLE,
          1.0,
          Rule.aboveUpTo(0.0, 1.0),
          "Nucleus sampling: the smallest set of tokens with this probability mass; 1 disables."
              + " RL accepts only 1: the trainer's log-probs do not apply the cut.");
  static final ConfigOption<Integer> MAX_NEW_TOKENS =
      ConfigOption.of(
          "rollout.max_new_tokens",
          ValueType.INT,
          96,
          Rule.atLeast(1),
          "Longest response, in tokens.");
  static final ConfigOption<Integer> MAX_STALENESS =
      ConfigOption.of(
          "rollout.max_staleness",
          ValueType.INT,
          0,
          Rule.atLeast(0),
          "Fixed lag s: batch b is generated with policy version max(0, b - s). 0 is synchronous"
              + " on-policy RL; s >= 1 overlaps generation with training and stays deterministic.");

  static final ConfigOption<Integer> ITERATIONS =
      ConfigOption.of(
          "rollout.iterations",
          ValueType.INT,
          50,
          Rule.atLeast(1),
          "RL iterations of a run: batches b = 0 .. iterations - 1, each trained once.");
  static final ConfigOption<PromptOverflow> PROMPT_OVERFLOW =
      ConfigOption.of(
          "rollout.prompt_overflow",
          ValueType.ofEnum(PromptOverflow.class),
          PromptOverflow.DEAD_LETTER,
          Rule.any(),
          "A prompt longer than policy.max_seq_len - max_new_tokens: dead_letter (set aside with"
              + " its reason) or truncate (keep its last tokens).");

  static final ConfigOption<Duration> VERSION_TIMEOUT =
      ConfigOption.of(
          "rollout.version_timeout",
          ValueType.DURATION,
          Duration.ofMinutes(30),
          Rule.positiveDuration(),
          "How long a rollout subtask waits for the policy version its batch needs before the job"
              + " fails (the trainer may be slow, or, colocated, in another TaskManager).");

  static final ConfigOption<Duration> TIME_BUDGET =
      ConfigOption.of(
          "rollout.time_budget",
          ValueType.DURATION,
          Duration.ZERO,
          Rule.nonNegativeDuration(),
          "Wall time after which the trainer ends the run early: the iteration that crosses it is"
              + " the last, its policy the final one (iterations then stay an upper bound). 0"
              + " runs every iteration. A budget makes the number of iterations depend on speed.");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(
          PROMPTS_PER_BATCH,
          SAMPLES_PER_PROMPT,
          TEMPERATURE,
          TOP_K,
          TOP_P,
          MAX_NEW_TOKENS,
          MAX_STALENESS,
          ITERATIONS,
          PROMPT_OVERFLOW,
          VERSION_TIMEOUT,
          TIME_BUDGET);

  static RolloutConfig from(ConfigValues v) {
    return new RolloutConfig(
        v.get(PROMPTS_PER_BATCH),
        v.get(SAMPLES_PER_PROMPT),
        v.get(TEMPERATURE),
        v.get(TOP_K),
        v.get(TOP_P),
        v.get(MAX_NEW_TOKENS),
        v.get(MAX_STALENESS),
        v.get(ITERATIONS),
        v.get(PROMPT_OVERFLOW),
        v.get(VERSION_TIMEOUT),
        v.get(TIME_BUDGET));
  }

  /**
   * RL's rule on the sampling filters: top-k and top-p must keep every token. The trainer's, the
   * reference's and the sampler's log-probs are all of softmax(logits / T) (ALGORITHMS.md §3); a
   * cut the trainer does not reproduce would make the first ratio differ from 1 on every token near
   * the cut.
   */
  void validate(List<String> problems) {
    if (topK != 0) {
      problems.add(
          Problems.invalid(
              TOP_K,
              topK,
              "be 0 (RL's log-probs are of the whole tempered distribution, which top-k cuts)"));
    }
    if (topP != 1.0) {
      problems.add(
          Problems.invalid(
              TOP_P,
              topP,
              "be 1 (RL's log-probs are of the whole tempered distribution, which top-p cuts)"));
    }
  }

  /** Responses in one RL iteration. */
  public int samplesPerBatch() {
    return promptsPerBatch * samplesPerPrompt;
  }
}
