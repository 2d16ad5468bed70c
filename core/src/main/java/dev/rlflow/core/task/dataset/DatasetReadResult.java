package dev.rlflow.core.task.dataset;

import dev.rlflow.core.task.Problem;
import java.util.List;
import java.util.Objects;

/**
 * Everything read from one dataset source: the problems, the lines that were rejected and the
 * calculator-annotation check.
 *
 * @param source the name of the file or stream
 * @param layout the layout it was read as
 * @param problems the problems of the good lines, in file order
 * @param deadLetters the rejected lines, in file order; blank lines are neither
 * @param annotationCount how many calculator annotations the problems held (GSM8K only, else 0)
 * @param annotationMismatches the annotations that do not evaluate to their stated value
 */
public record DatasetReadResult(
    String source,
    Layout layout,
    List<Problem> problems,
    List<DeadLetter> deadLetters,
    int annotationCount,
    List<AnnotationMismatch> annotationMismatches) {
  public DatasetReadResult {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(layout, "layout");
    problems = List.copyOf(problems);
    deadLetters = List.copyOf(deadLetters);
    annotationMismatches = List.copyOf(annotationMismatches);
    if (annotationCount < annotationMismatches.size()) {
      throw new IllegalArgumentException(
          "Invalid value "
              + annotationCount
              + " for annotationCount: must be >= the "
              + annotationMismatches.size()
              + " mismatches");
    }
  }

  /** Returns how many calculator annotations do not evaluate to their stated value. */
  public int annotationErrors() {
    return annotationMismatches.size();
  }
}
