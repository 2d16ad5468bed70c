package dev.rlflow.reward.omega;

import java.util.List;

/**
 * Produces rollouts: the policy, in production (one call is one batched generation, so that many
 * searches share it); a deterministic fake in tests.
 */
@FunctionalInterface
public interface Completer {
  /**
   * Returns, for each request in order, exactly {@code request.count()} continuations of its
   * prefix.
   */
  List<List<Continuation>> complete(List<RolloutRequest> requests);

  /**
   * {@link #complete}, checked: one answer per request, each of {@code request.count()}
   * continuations.
   *
   * @throws IllegalStateException naming the request when the completer broke its contract
   */
  default List<List<Continuation>> completeChecked(List<RolloutRequest> requests) {
    List<List<Continuation>> answers = complete(requests);
    if (answers == null || answers.size() != requests.size()) {
      throw new IllegalStateException(
          "The completer returned "
              + (answers == null ? "null" : answers.size() + " answers")
              + " for "
              + requests.size()
              + " requests");
    }
    for (int i = 0; i < requests.size(); i++) {
      RolloutRequest request = requests.get(i);
      List<Continuation> answer = answers.get(i);
      if (answer == null || answer.size() != request.count()) {
        throw new IllegalStateException(
            "The completer returned "
                + (answer == null ? "null" : answer.size() + " continuations")
                + " for request "
                + i
                + " (question "
                + request.question().id()
                + ", prefix of "
                + request.prefixSteps().size()
                + " steps), which asked for "
                + request.count());
      }
    }
    return answers;
  }
}
