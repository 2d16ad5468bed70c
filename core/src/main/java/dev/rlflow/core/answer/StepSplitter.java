package dev.rlflow.core.answer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Splits a solution into its reasoning steps at a separator, setting the final-answer line apart.
 *
 * <p>Steps are trimmed and blank ones dropped. A line that is an {@code answer: X} or {@code ####
 * X} marker is not a step: it carries no reasoning a process reward model could score, and the
 * outcome verifier already judges it. Such lines are removed wherever they stand, also inside a
 * step when the separator is not a newline; the last one is returned as {@link Split#answerLine()}.
 * A {@code \boxed{X}} inside a sentence stays in its step, because that sentence usually holds the
 * last piece of reasoning.
 *
 * @param separator the literal text between steps, newline by default; not empty
 */
public record StepSplitter(String separator) {
  /** Splits at each newline, the convention of every rlflow task. */
  public static final StepSplitter NEWLINE = new StepSplitter("\n");

  public StepSplitter {
    Objects.requireNonNull(separator, "separator");
    if (separator.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid value '' for step separator: must be a non-empty string");
    }
  }

  /**
   * A solution cut into steps.
   *
   * @param steps the reasoning steps in order, trimmed, none blank
   * @param answerLine the last final-answer marker line, trimmed, or empty when there is none
   */
  public record Split(List<String> steps, Optional<String> answerLine) {
    public Split {
      steps = List.copyOf(steps);
      Objects.requireNonNull(answerLine, "answerLine");
    }
  }

  /** Returns the reasoning steps of {@code solution}, without its final-answer line. */
  public List<String> steps(String solution) {
    return split(solution).steps();
  }

  /** Returns the reasoning steps of {@code solution} and its final-answer line. */
  public Split split(String solution) {
    Objects.requireNonNull(solution, "solution");
    List<String> steps = new ArrayList<>();
    String answerLine = null;
    int from = 0;
    while (from <= solution.length()) {
      int at = solution.indexOf(separator, from);
      int end = at < 0 ? solution.length() : at;
      StringBuilder step = new StringBuilder();
      for (String line : solution.substring(from, end).split("\n", -1)) {
        if (AnswerExtractor.isAnswerLine(line)) {
          answerLine = line.strip();
        } else {
          step.append(line).append('\n');
        }
      }
      String text = step.toString().strip();
      if (!text.isEmpty()) {
        steps.add(text);
      }
      if (at < 0) {
        break;
      }
      from = at + separator.length();
    }
    return new Split(steps, Optional.ofNullable(answerLine));
  }
}
