package dev.rlflow.core.task.arith;

import java.util.Objects;

/**
 * The ground-truth verdict on one step of a candidate solution.
 *
 * @param index 0-based position of the step among the solution's steps (blank lines and answer
 *     lines do not count)
 * @param text the line as written, stripped of surrounding whitespace
 * @param correct whether the step is the problem's step {@code index}, chained and computed right
 * @param reason {@code correct}, or why not, for example {@code 7 + 5 = 13 is false (7 + 5 = 12)}
 */
public record StepVerdict(int index, String text, boolean correct, String reason) {
  public StepVerdict {
    if (index < 0) {
      throw new IllegalArgumentException("Invalid value " + index + " for index: must be >= 0");
    }
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(reason, "reason");
  }
}
