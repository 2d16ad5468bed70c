package dev.rlflow.core.task.dataset;

import java.util.Objects;

/**
 * A dataset line that could not become a problem, kept with the reason so the data can be fixed.
 *
 * @param source the name of the file or stream the line came from
 * @param lineNumber the 1-based physical line number in that source
 * @param line the line as read, cut after {@value DatasetReader#MAX_EXCERPT_CHARS} characters
 * @param reason what is wrong, naming the field and the rule, for example {@code missing field
 *     'answer'}
 */
public record DeadLetter(String source, long lineNumber, String line, String reason) {
  public DeadLetter {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(line, "line");
    Objects.requireNonNull(reason, "reason");
    if (lineNumber < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + lineNumber + " for lineNumber: must be >= 1");
    }
  }
}
