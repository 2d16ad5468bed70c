package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.config.RolloutConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.task.dataset.DeadLetter;
import dev.rlflow.jobs.policy.PromptFormat;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompts of an RL run and the batches drawn from them: fresh training problems (not among the
 * SFT demonstrations), {@code rollout.prompts_per_batch} per batch, batch b taking prompts {@code b
 * * P … b * P + P - 1} of the pool, cycling when the iterations need more. Batch b is a function of
 * the configuration and b alone, so a source that restarts at b emits what it emitted before.
 *
 * <p>A prompt too long for {@code policy.max_seq_len - rollout.max_new_tokens} is truncated from
 * the left (keeping BOS) or set aside as a dead letter, per {@code rollout.prompt_overflow}; so are
 * malformed dataset lines.
 */
final class PromptPool {
  static final String SOURCE = "rlhf prompts";

  private final List<Prompt> prompts;
  private final int perBatch;
  private final List<DeadLetter> deadLetters;

  private PromptPool(List<Prompt> prompts, int perBatch, List<DeadLetter> deadLetters) {
    this.prompts = List.copyOf(prompts);
    this.perBatch = perBatch;
    this.deadLetters = List.copyOf(deadLetters);
  }

  /** The pool of {@code config}'s run: its task's problems after the demonstrations. */
  static PromptPool load(RunConfig config) throws IOException {
    RolloutConfig rollout = config.rollout();
    TaskData data = TaskData.prompts(config, rollout.promptsPerBatch() * rollout.iterations());
    try (Tokenizer tokenizer = Tokenizers.load(config.policy().tokenizer())) {
      PromptPool pool = of(config, data.problems(), tokenizer);
      List<DeadLetter> all = new ArrayList<>(data.deadLetters());
      all.addAll(pool.deadLetters);
      return new PromptPool(pool.prompts, pool.perBatch, all);
    }
  }

  /**
   * The pool of {@code problems}, prompts too long truncated or set aside.
   *
   * @throws IllegalArgumentException when no prompt is left
   */
  static PromptPool of(RunConfig config, List<ProblemRecord> problems, Tokenizer tokenizer) {
    RolloutConfig rollout = config.rollout();
    int limit = config.policy().maxSeqLen() - rollout.maxNewTokens();
    List<Prompt> usable = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      ProblemRecord p = problems.get(i);
      int[] tokens = PromptFormat.prompt(tokenizer, p.question());
      if (tokens.length > limit) {
        if (rollout.promptOverflow() == RolloutConfig.PromptOverflow.DEAD_LETTER) {
          deadLetters.add(
              new DeadLetter(
                  SOURCE,
                  i + 1,
                  p.question(),
                  "prompt of "
                      + tokens.length
                      + " tokens exceeds policy.max_seq_len - rollout.max_new_tokens = "
                      + limit
                      + " (rollout.prompt_overflow: dead_letter)"));
          continue;
        }
        int[] kept = new int[limit];
        kept[0] = tokens[0]; // bos
        System.arraycopy(tokens, tokens.length - (limit - 1), kept, 1, limit - 1);
        tokens = kept;
      }
      usable.add(new Prompt(0, p.id(), p.question(), p.answer(), tokens));
    }
    if (usable.isEmpty()) {
      throw new IllegalArgumentException(
          "No RL prompt fits policy.max_seq_len - rollout.max_new_tokens = "
              + limit
              + " tokens: all "
              + problems.size()
              + " were set aside");
    }
    return new PromptPool(usable, rollout.promptsPerBatch(), deadLetters);
  }

  /** Batch {@code b}: the pool's prompts from {@code b * P}, cycling, prompt g in group g. */
  PromptBatch batch(long b) {
    List<Prompt> batch = new ArrayList<>(perBatch);
    for (int g = 0; g < perBatch; g++) {
      batch.add(prompts.get((int) ((b * perBatch + g) % prompts.size())).inGroup(g));
    }
    return new PromptBatch(b, batch);
  }

  /** What was set aside: malformed dataset lines and prompts too long. */
  List<DeadLetter> deadLetters() {
    return deadLetters;
  }
}
