package dev.rlflow.core.task.dataset;

/** Thrown by a layout parser when a line cannot become a problem; its message is the reason. */
final class MalformedRecordException extends Exception {
  MalformedRecordException(String reason) {
    super(reason);
  }
}
