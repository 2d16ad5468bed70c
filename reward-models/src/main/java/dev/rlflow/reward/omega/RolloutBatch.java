package dev.rlflow.reward.omega;

import dev.rlflow.core.answer.StepSplitter;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to one {@link RolloutRequest}, judged: a Monte Carlo estimate of its prefix.
 *
 * @param request the request the rollouts answer
 * @param rollouts the rollouts in the order the completer returned them
 */
record RolloutBatch(RolloutRequest request, List<JudgedRollout> rollouts) {
  RolloutBatch {
    rollouts = List.copyOf(rollouts);
  }

  /**
   * Splits and judges the continuations answering {@code request}.
   *
   * @throws IllegalStateException when there are not exactly {@code request.count()} of them, the
   *     {@link LabelSearch#accept} contract
   */
  static RolloutBatch judge(
      RolloutRequest request, List<Continuation> continuations, SolutionVerifier verifier) {
    if (continuations.size() != request.count()) {
      throw new IllegalStateException(
          "Expected "
              + request.count()
              + " continuations for the pending request of question "
              + request.question().id()
              + ", got "
              + continuations.size());
    }
    List<JudgedRollout> judged = new ArrayList<>(continuations.size());
    for (Continuation continuation : continuations) {
      judged.add(
          new JudgedRollout(
              StepSplitter.NEWLINE.steps(continuation.text()),
              continuation.tokens(),
              verifier.isCorrect(request.prefixSteps(), continuation)));
    }
    return new RolloutBatch(request, judged);
  }

  int correct() {
    return (int) rollouts.stream().filter(JudgedRollout::correct).count();
  }

  /** MC(prefix) = correct / rollouts. */
  double mc() {
    return (double) correct() / rollouts.size();
  }

  /** True when 0 < MC < 1: the prefix can go either way, so its wrong rollouts are worth search. */
  boolean mixed() {
    int correct = correct();
    return correct > 0 && correct < rollouts.size();
  }
}
