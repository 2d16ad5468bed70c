package dev.rlflow.core.rl;

import java.util.Arrays;
import java.util.Objects;

/**
 * One prompt of an RL batch: a problem and the tokens the policy continues.
 *
 * @param group its index in the batch: the group its samples share (GRPO's and RLOO's baseline)
 * @param problemId the problem's id, which seeds its samples
 * @param question the question text
 * @param answer the reference answer the verifier checks against
 * @param tokens the prompt tokens, at least one (possibly truncated per {@code
 *     rollout.prompt_overflow})
 */
public record Prompt(int group, String problemId, String question, String answer, int[] tokens) {

  public Prompt {
    if (group < 0) {
      throw new IllegalArgumentException("Invalid value " + group + " for group: must be >= 0");
    }
    Objects.requireNonNull(problemId, "problemId");
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(answer, "answer");
    if (tokens.length == 0) {
      throw new IllegalArgumentException("Invalid length 0 of tokens: must be >= 1");
    }
    tokens = tokens.clone();
  }

  /** This prompt as member {@code group} of a batch. */
  public Prompt inGroup(int group) {
    return new Prompt(group, problemId, question, answer, tokens);
  }

  /** The prompt tokens (a copy). */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  /** The number of prompt tokens. */
  public int length() {
    return tokens.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Prompt p
        && group == p.group
        && problemId.equals(p.problemId)
        && question.equals(p.question)
        && answer.equals(p.answer)
        && Arrays.equals(tokens, p.tokens);
  }

  @Override
  public int hashCode() {
    return Objects.hash(group, problemId, question, answer, Arrays.hashCode(tokens));
  }

  @Override
  public String toString() {
    return "Prompt[group="
        + group
        + ", problemId="
        + problemId
        + ", question="
        + question
        + ", answer="
        + answer
        + ", tokens="
        + Arrays.toString(tokens)
        + "]";
  }
}
