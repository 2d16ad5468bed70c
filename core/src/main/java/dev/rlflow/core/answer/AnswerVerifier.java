package dev.rlflow.core.answer;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome verifier: a completion is correct when its final answer ({@link AnswerExtractor}) is
 * equivalent ({@link AnswerEquivalence}) to the reference answer.
 *
 * <p>It is the oracle behind outcome rewards, so it is deterministic and side-effect free.
 */
public final class AnswerVerifier {

  /**
   * Checks {@code completion} against {@code referenceAnswer}.
   *
   * @param completion the generated text, a solution ending in a final-answer marker
   * @param referenceAnswer the expected final answer, for example {@code 72} or {@code
   *     \frac{3}{4}}; must not be blank, since nothing could ever match it
   * @throws IllegalArgumentException when {@code referenceAnswer} is blank
   */
  public Verdict verify(String completion, String referenceAnswer) {
    Objects.requireNonNull(completion, "completion");
    Objects.requireNonNull(referenceAnswer, "referenceAnswer");
    if (referenceAnswer.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid reference answer '" + referenceAnswer + "': must not be blank");
    }
    Optional<String> extracted = AnswerExtractor.extract(completion);
    if (extracted.isEmpty()) {
      return new Verdict(false, extracted, "no final answer found");
    }
    String answer = extracted.get();
    if (AnswerEquivalence.equivalent(answer, referenceAnswer)) {
      return new Verdict(true, extracted, "equal");
    }
    return new Verdict(
        false, extracted, "answer " + answer + " != reference " + referenceAnswer.strip());
  }
}
