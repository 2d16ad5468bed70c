package dev.rlflow.core.task.dataset;

import dev.rlflow.core.task.Problem;
import java.util.List;

/** A problem parsed from one line, with what its calculator annotations showed. */
record ParsedProblem(
    Problem problem, int annotationCount, List<AnnotationMismatch> annotationMismatches) {
  ParsedProblem {
    annotationMismatches = List.copyOf(annotationMismatches);
  }
}
