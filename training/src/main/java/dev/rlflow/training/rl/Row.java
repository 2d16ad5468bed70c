package dev.rlflow.training.rl;

import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.training.advantage.TokenAdvantages;
import java.util.Objects;

/**
 * One response of a minibatch with what the updates read of it: the response (its prompt and
 * tokens), its per-token {@link Experience} and its advantages and returns.
 */
record Row(ScoredResponse response, Experience experience, TokenAdvantages estimate) {
  Row {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(experience, "experience");
    Objects.requireNonNull(estimate, "estimate");
  }

  /** Response tokens, the tokens an update trains on. */
  int tokens() {
    return response.response().length();
  }
}
