package dev.rlflow.core.task.dataset;

import java.util.Objects;

/**
 * A GSM8K calculator annotation whose expression does not give its stated value: a data-quality
 * signal, not a reason to drop the problem, whose final answer is still usable.
 *
 * @param source the name of the file or stream
 * @param lineNumber the 1-based line number of the problem
 * @param annotation the annotation as written, for example {@code <<2*3=7>>}
 * @param reason what is wrong, for example {@code 2*3 evaluates to 6, stated 7}
 */
public record AnnotationMismatch(String source, long lineNumber, String annotation, String reason) {
  public AnnotationMismatch {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(annotation, "annotation");
    Objects.requireNonNull(reason, "reason");
  }
}
