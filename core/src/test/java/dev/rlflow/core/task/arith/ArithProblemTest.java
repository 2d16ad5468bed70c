package dev.rlflow.core.task.arith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.task.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArithProblemTest {

  static final ArithProblem SEVEN =
      new ArithProblem(
          "arith-test-1",
          7,
          List.of(
              new ArithProblem.Operation(ArithOp.ADD, 5),
              new ArithProblem.Operation(ArithOp.MUL, 3),
              new ArithProblem.Operation(ArithOp.SUB, 4)));

  static final ArithProblem NEGATIVE =
      new ArithProblem(
          "arith-test-2",
          3,
          List.of(
              new ArithProblem.Operation(ArithOp.SUB, 8),
              new ArithProblem.Operation(ArithOp.MUL, 2),
              new ArithProblem.Operation(ArithOp.SUB, 1)));

  @Test
  void questionIsStartThenOneSymbolOperandPerStep() {
    assertThat(SEVEN.question()).isEqualTo("start 7, +5, *3, -4");
  }

  @Test
  void referenceSolutionIsOneLinePerStepThenTheAnswer() {
    assertThat(SEVEN.referenceSolution())
        .isEqualTo("7 + 5 = 12\n12 * 3 = 36\n36 - 4 = 32\nanswer: 32");
    assertThat(SEVEN.values()).containsExactly(12L, 36L, 32L);
    assertThat(SEVEN.answer()).isEqualTo(32);
  }

  @Test
  void negativeValuesPrintWithALeadingMinus() {
    assertThat(NEGATIVE.question()).isEqualTo("start 3, -8, *2, -1");
    assertThat(NEGATIVE.referenceSolution())
        .isEqualTo("3 - 8 = -5\n-5 * 2 = -10\n-10 - 1 = -11\nanswer: -11");
  }

  @Test
  void toProblemCarriesTheTexts() {
    assertThat(SEVEN.toProblem())
        .isEqualTo(
            new Problem(
                "arith-test-1",
                "start 7, +5, *3, -4",
                "7 + 5 = 12\n12 * 3 = 36\n36 - 4 = 32\nanswer: 32",
                "32"));
  }

  @Test
  void rejectsMalformedProblems() {
    assertThatThrownBy(
            () -> new ArithProblem(" ", 1, List.of(new ArithProblem.Operation(ArithOp.ADD, 1))))
        .hasMessage("ArithProblem id must not be blank");
    assertThatThrownBy(() -> new ArithProblem("p", 1, List.of()))
        .hasMessage("Invalid value [] for operations: must not be empty");
    assertThatThrownBy(() -> new ArithProblem.Operation(ArithOp.ADD, 0))
        .hasMessage("Invalid value 0 for operand: must be >= 1");
    assertThatThrownBy(
            () ->
                new ArithProblem(
                    "big", Long.MAX_VALUE, List.of(new ArithProblem.Operation(ArithOp.MUL, 2))))
        .hasMessage("Invalid problem big: a value of the chain does not fit in a long");
  }

  @Test
  void opsApplyExactly() {
    assertThat(ArithOp.ADD.apply(7, 5)).isEqualTo(12);
    assertThat(ArithOp.SUB.apply(3, 8)).isEqualTo(-5);
    assertThat(ArithOp.MUL.apply(-5, 2)).isEqualTo(-10);
    assertThatThrownBy(() -> ArithOp.ADD.apply(Long.MAX_VALUE, 1))
        .isInstanceOf(ArithmeticException.class);
  }

  @org.junit.jupiter.api.Test
  void parseInvertsQuestion() {
    for (ArithProblem problem :
        new ArithGenerator(ArithSpec.defaults(), ArithSplit.TEST, 3).generate(200)) {
      org.assertj.core.api.Assertions.assertThat(
              ArithProblem.parse(problem.id(), problem.question()))
          .isEqualTo(problem);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ArithProblem.parse("x", "start 3, %4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("start 3, %4");
  }
}
