package dev.rlflow.core.answer;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of checking one completion against a reference answer.
 *
 * @param correct whether the completion's final answer equals the reference
 * @param extracted the final answer found in the completion, or empty when it has none
 * @param reason why, for people reading traces: {@code equal}, {@code no final answer found} or
 *     {@code answer 31 != reference 32}
 */
public record Verdict(boolean correct, Optional<String> extracted, String reason) {
  public Verdict {
    Objects.requireNonNull(extracted, "extracted");
    Objects.requireNonNull(reason, "reason");
    if (correct && extracted.isEmpty()) {
      throw new IllegalArgumentException("A correct verdict must carry the extracted answer");
    }
  }
}
