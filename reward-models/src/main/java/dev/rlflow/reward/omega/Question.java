package dev.rlflow.reward.omega;

import java.util.Objects;

/** A question a search labels solutions of: its dataset id and its text. */
public record Question(String id, String text) {
  public Question {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
  }
}
