package dev.rlflow.reward.verifier;

import dev.rlflow.core.answer.AnswerVerifier;
import dev.rlflow.core.config.RewardConfig;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.StepChecker;

/**
 * The outcome reward's verdict on a complete solution of one problem, as {@code reward.verifier}
 * decides it: {@code answer} accepts a solution whose final answer is equivalent to the reference;
 * {@code arith_steps} accepts an arith solution only when every step and the answer hold (the
 * ground-truth step checker), so a right answer reached through a wrong step does not count.
 */
@FunctionalInterface
public interface OutcomeVerifier {

  /** True when {@code solution} earns the outcome reward. */
  boolean correct(String solution);

  /**
   * The verifier of {@code kind} for one problem.
   *
   * @throws IllegalArgumentException for {@code arith_steps} when the question is not arith
   */
  static OutcomeVerifier of(
      RewardConfig.Verifier kind, String problemId, String question, String referenceAnswer) {
    return switch (kind) {
      case ANSWER -> {
        AnswerVerifier verifier = new AnswerVerifier();
        yield solution -> verifier.verify(solution, referenceAnswer).correct();
      }
      case ARITH_STEPS -> {
        ArithProblem problem = ArithProblem.parse(problemId, question);
        StepChecker checker = new StepChecker();
        yield solution -> checker.check(problem, solution).fullyCorrect();
      }
    };
  }
}
