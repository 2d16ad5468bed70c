package dev.rlflow.core.task.arith;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The ground-truth check of one candidate solution against its problem: a verdict per step and the
 * final answer, with the derived notions that process supervision needs.
 *
 * @param steps one verdict per step line, in order, {@code steps.get(i).index() == i}
 * @param operationCount how many operations the problem has
 * @param expectedAnswer the problem's true answer
 * @param finalAnswer the value of the last {@code answer: N} line, empty when there is none or its
 *     value is not an integer
 */
public record StepCheck(
    List<StepVerdict> steps, int operationCount, long expectedAnswer, Optional<Long> finalAnswer) {

  public StepCheck {
    steps = List.copyOf(steps);
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).index() != i) {
        throw new IllegalArgumentException(
            "Invalid value " + steps.get(i).index() + " for steps[" + i + "].index: must be " + i);
      }
    }
    if (operationCount < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + operationCount + " for operationCount: must be >= 1");
    }
    Objects.requireNonNull(finalAnswer, "finalAnswer");
  }

  /**
   * The index of the first wrong step; when every present step is right but steps are missing, the
   * index of the first missing step ({@code steps().size()}); empty when no step is wrong or
   * missing.
   */
  public OptionalInt firstError() {
    for (StepVerdict step : steps) {
      if (!step.correct()) {
        return OptionalInt.of(step.index());
      }
    }
    return complete() ? OptionalInt.empty() : OptionalInt.of(steps.size());
  }

  /** Whether every present step is correct; says nothing about missing steps. */
  public boolean allStepsCorrect() {
    return steps.stream().allMatch(StepVerdict::correct);
  }

  /** Whether there is a step line for every operation (right or wrong, extra lines allowed). */
  public boolean complete() {
    return steps.size() >= operationCount;
  }

  /** Whether the last answer line holds the problem's answer. */
  public boolean answerCorrect() {
    return finalAnswer.isPresent() && finalAnswer.get() == expectedAnswer;
  }

  /** Whether every step is correct, none is missing or extra, and the answer is right. */
  public boolean fullyCorrect() {
    return allStepsCorrect() && complete() && answerCorrect();
  }

  /**
   * Whether the first {@code t} steps are present and all correct: the true correctness of the
   * prefix of {@code t} steps, which OmegaPRM's {@code MC > 0} estimates (ALGORITHMS.md §1). True
   * for {@code t = 0}.
   */
  public boolean prefixCorrect(int t) {
    if (t < 0) {
      throw new IllegalArgumentException("Invalid value " + t + " for t: must be >= 0");
    }
    if (t > steps.size()) {
      return false;
    }
    return steps.subList(0, t).stream().allMatch(StepVerdict::correct);
  }
}
