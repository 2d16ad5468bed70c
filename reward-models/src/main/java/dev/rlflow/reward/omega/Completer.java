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
}
