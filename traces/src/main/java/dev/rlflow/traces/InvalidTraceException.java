package dev.rlflow.traces;

import java.io.IOException;

/**
 * Bytes or a file that do not hold the trace records a reader expects: not single-object encoded, a
 * schema fingerprint it does not know, a corrupt body, or a container file of another record type.
 * Retrying does not help; a consumer skips the record or stops.
 */
public final class InvalidTraceException extends IOException {
  public InvalidTraceException(String message) {
    super(message);
  }

  public InvalidTraceException(String message, Throwable cause) {
    super(message, cause);
  }
}
