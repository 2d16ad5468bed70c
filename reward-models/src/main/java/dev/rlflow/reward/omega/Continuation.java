package dev.rlflow.reward.omega;

import java.util.Objects;

/**
 * One rollout as the policy wrote it: the text after the prefix (steps separated by newlines,
 * possibly a final {@code answer:} line) and its length in tokens.
 */
public record Continuation(String text, int tokens) {
  public Continuation {
    Objects.requireNonNull(text, "text");
    if (tokens < 0) {
      throw new IllegalArgumentException("Invalid value " + tokens + " for tokens: must be >= 0");
    }
  }
}
