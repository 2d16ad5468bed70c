package dev.rlflow.reward.omega;

import java.util.List;

/** Judges complete solutions of one question: the outcome oracle of a search. */
@FunctionalInterface
public interface SolutionVerifier {
  /**
   * True when the solution made of {@code prefixSteps} followed by {@code continuation} reaches the
   * right final answer.
   */
  boolean isCorrect(List<String> prefixSteps, Continuation continuation);
}
