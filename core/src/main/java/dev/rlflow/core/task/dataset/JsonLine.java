package dev.rlflow.core.task.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * One JSON object of a dataset file with where it came from, and the field rules every layout
 * shares.
 */
record JsonLine(ObjectNode fields, String source, long lineNumber) {

  /** Returns the string value of a required field that must not be blank. */
  String requiredText(String field) throws MalformedRecordException {
    JsonNode value = fields.get(field);
    if (value == null) {
      throw new MalformedRecordException("missing field '" + field + "'");
    }
    if (!value.isTextual() || value.textValue().isBlank()) {
      throw new MalformedRecordException(
          "field '" + field + "' must be a non-empty string, got " + describe(value));
    }
    return value.textValue();
  }

  /**
   * Returns the {@code id} field when there is one (a string or a number), else {@code
   * <source>:<lineNumber>}.
   */
  String id() throws MalformedRecordException {
    JsonNode value = fields.get("id");
    if (value == null) {
      return source + ":" + lineNumber;
    }
    if (value.isNumber() || (value.isTextual() && !value.textValue().isBlank())) {
      return value.asText().strip();
    }
    throw new MalformedRecordException(
        "field 'id' must be a non-empty string or a number, got " + describe(value));
  }

  static String describe(JsonNode value) {
    if (value.isTextual()) {
      return value.textValue().isBlank() ? "blank string" : "string";
    }
    return value.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
