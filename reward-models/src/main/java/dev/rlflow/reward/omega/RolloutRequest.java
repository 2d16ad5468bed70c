package dev.rlflow.reward.omega;

import java.util.List;
import java.util.Objects;

/**
 * {@code count} rollouts wanted from a solution prefix: the policy continues the question's
 * solution after {@code prefixSteps} until it ends.
 *
 * @param question the question
 * @param prefixSteps the solution steps the rollouts continue from (empty: from the question)
 * @param count how many rollouts, at least 1
 */
public record RolloutRequest(Question question, List<String> prefixSteps, int count) {
  public RolloutRequest {
    Objects.requireNonNull(question, "question");
    prefixSteps = List.copyOf(prefixSteps);
    if (count < 1) {
      throw new IllegalArgumentException("Invalid value " + count + " for count: must be >= 1");
    }
  }
}
