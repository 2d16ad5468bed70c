package dev.rlflow.core.task;

import java.util.Objects;

/**
 * One problem of a task: a question, its reference solution (steps separated by the task's step
 * separator, newline by default) and the reference final answer as written in the source.
 *
 * @param id stable identifier, unique within its source (for example {@code arith-test-17} or
 *     {@code train.jsonl:42})
 * @param question the prompt text shown to the policy
 * @param referenceSolution the worked solution, or an empty string when the source has none
 * @param referenceAnswer the final answer as written in the source (for example {@code 72}, {@code
 *     \frac{3}{4}})
 */
public record Problem(
    String id, String question, String referenceSolution, String referenceAnswer) {
  public Problem {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(referenceSolution, "referenceSolution");
    Objects.requireNonNull(referenceAnswer, "referenceAnswer");
    if (id.isBlank()) {
      throw new IllegalArgumentException("Problem id must not be blank");
    }
  }
}
