package dev.rlflow.core.task.arith;

import static dev.rlflow.core.task.arith.ArithProblemTest.NEGATIVE;
import static dev.rlflow.core.task.arith.ArithProblemTest.SEVEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * SEVEN is {@code start 7, +5, *3, -4} (values 12, 36, 32); NEGATIVE is {@code start 3, -8, *2,
 * -1}.
 */
class StepCheckerTest {

  private final StepChecker checker = new StepChecker();

  @Test
  void referenceSolutionIsFullyCorrect() {
    StepCheck check = checker.check(SEVEN, SEVEN.referenceSolution());

    assertThat(check.steps())
        .containsExactly(
            new StepVerdict(0, "7 + 5 = 12", true, "correct"),
            new StepVerdict(1, "12 * 3 = 36", true, "correct"),
            new StepVerdict(2, "36 - 4 = 32", true, "correct"));
    assertThat(check.firstError()).isEmpty();
    assertThat(check.finalAnswer()).contains(32L);
    assertThat(check.allStepsCorrect()).isTrue();
    assertThat(check.complete()).isTrue();
    assertThat(check.answerCorrect()).isTrue();
    assertThat(check.fullyCorrect()).isTrue();
  }

  @Test
  void wrongResultInTheFirstStep() {
    StepCheck check = checker.check(SEVEN, "7 + 5 = 13\n13 * 3 = 39\n39 - 4 = 35\nanswer: 35");

    assertThat(check.firstError()).hasValue(0);
    assertThat(reasons(check))
        .containsExactly(
            "7 + 5 = 13 is false (7 + 5 = 12)",
            "starts from 13, expected 12 (the previous result)",
            "starts from 39, expected 36 (the previous result)");
    assertThat(check.answerCorrect()).isFalse();
    assertThat(check.fullyCorrect()).isFalse();
  }

  @Test
  void wrongStartInTheFirstStep() {
    StepCheck check = checker.check(SEVEN, "6 + 5 = 11");

    assertThat(check.firstError()).hasValue(0);
    assertThat(reasons(check)).containsExactly("starts from 6, expected 7 (the start value)");
  }

  @Test
  void brokenChainInTheSecondStepLeavesLaterStepsJudgedOnTheTrueChain() {
    StepCheck check = checker.check(SEVEN, "7 + 5 = 12\n11 * 3 = 33\n36 - 4 = 32\nanswer: 32");

    assertThat(check.firstError()).hasValue(1);
    assertThat(reasons(check))
        .containsExactly("correct", "starts from 11, expected 12 (the previous result)", "correct");
    assertThat(check.allStepsCorrect()).isFalse();
    assertThat(check.answerCorrect()).isTrue();
    assertThat(check.fullyCorrect()).isFalse();
  }

  @Test
  void wrongOperandOrOperation() {
    StepCheck operand = checker.check(SEVEN, "7 + 5 = 12\n12 * 4 = 48\n48 - 4 = 44\nanswer: 44");
    StepCheck operation = checker.check(SEVEN, "7 + 5 = 12\n12 + 3 = 15");

    assertThat(operand.firstError()).hasValue(1);
    assertThat(reasons(operand))
        .containsExactly(
            "correct",
            "applies * 4, the problem's step 2 is * 3",
            "starts from 48, expected 36 (the previous result)");
    assertThat(operation.firstError()).hasValue(1);
    assertThat(reasons(operation))
        .containsExactly("correct", "applies + 3, the problem's step 2 is * 3");
  }

  @Test
  void extraStep() {
    StepCheck check =
        checker.check(SEVEN, "7 + 5 = 12\n12 * 3 = 36\n36 - 4 = 32\n32 + 1 = 33\nanswer: 32");

    assertThat(check.firstError()).hasValue(3);
    assertThat(check.steps().get(3))
        .isEqualTo(
            new StepVerdict(3, "32 + 1 = 33", false, "extra step: the problem has 3 operations"));
    assertThat(check.complete()).isTrue();
    assertThat(check.allStepsCorrect()).isFalse();
    assertThat(check.answerCorrect()).isTrue();
    assertThat(check.fullyCorrect()).isFalse();
  }

  @Test
  void extraStepOfASingleOperationProblem() {
    ArithProblem one =
        new ArithProblem("one", 2, List.of(new ArithProblem.Operation(ArithOp.MUL, 3)));

    StepCheck check = checker.check(one, "2 * 3 = 6\n6 * 3 = 18\nanswer: 18");

    assertThat(reasons(check))
        .containsExactly("correct", "extra step: the problem has 1 operation");
  }

  @Test
  void missingStepIsTheFirstErrorAtTheNumberOfStepsPresent() {
    StepCheck check = checker.check(SEVEN, "7 + 5 = 12\n12 * 3 = 36\nanswer: 36");

    assertThat(check.firstError()).hasValue(2);
    assertThat(check.allStepsCorrect()).isTrue();
    assertThat(check.complete()).isFalse();
    assertThat(check.answerCorrect()).isFalse();
    assertThat(check.fullyCorrect()).isFalse();
  }

  @Test
  void missingAnswerLine() {
    StepCheck check = checker.check(SEVEN, "7 + 5 = 12\n12 * 3 = 36\n36 - 4 = 32\n");

    assertThat(check.firstError()).isEmpty();
    assertThat(check.finalAnswer()).isEmpty();
    assertThat(check.allStepsCorrect()).isTrue();
    assertThat(check.complete()).isTrue();
    assertThat(check.answerCorrect()).isFalse();
    assertThat(check.fullyCorrect()).isFalse();
  }

  @Test
  void wrongAnswerLineAfterCorrectSteps() {
    StepCheck check = checker.check(SEVEN, "7 + 5 = 12\n12 * 3 = 36\n36 - 4 = 32\nanswer: 33");

    assertThat(check.firstError()).isEmpty();
    assertThat(check.finalAnswer()).contains(33L);
    assertThat(check.answerCorrect()).isFalse();
    assertThat(check.fullyCorrect()).isFalse();
  }

  @Test
  void theLastAnswerLineDecides() {
    String steps = "7 + 5 = 12\n12 * 3 = 36\n36 - 4 = 32\n";

    assertThat(checker.check(SEVEN, steps + "answer: 33\nanswer: 32").fullyCorrect()).isTrue();
    assertThat(checker.check(SEVEN, steps + "answer: 32\nanswer: 33").finalAnswer()).contains(33L);
    assertThat(checker.check(SEVEN, steps + "answer: 32\nanswer: x").finalAnswer()).isEmpty();
    assertThat(checker.check(SEVEN, steps + "answer:").finalAnswer()).isEmpty();
  }

  @Test
  void garbageLinesAreUnparsableSteps() {
    StepCheck check = checker.check(SEVEN, "hello world\n7 plus 5\n7 + 5 = 12 = 12");

    assertThat(check.firstError()).hasValue(0);
    assertThat(reasons(check))
        .containsExactly(
            "unparsable step 'hello world'",
            "unparsable step '7 plus 5'",
            "unparsable step '7 + 5 = 12 = 12'");
    assertThat(check.finalAnswer()).isEmpty();
  }

  @Test
  void emptyOrBlankTextMissesTheFirstStep() {
    for (String text : List.of("", "\n", "  \r\n\t\n")) {
      StepCheck check = checker.check(SEVEN, text);

      assertThat(check.steps()).isEmpty();
      assertThat(check.firstError()).isEqualTo(OptionalInt.of(0));
      assertThat(check.allStepsCorrect()).isTrue();
      assertThat(check.complete()).isFalse();
      assertThat(check.finalAnswer()).isEqualTo(Optional.empty());
      assertThat(check.fullyCorrect()).isFalse();
    }
  }

  @Test
  void extraWhitespaceAndLineEndingsAreAccepted() {
    String crlf = "  7+5=12 \r\n\r\n12 *3 =  36\r\n\t36 - 4 = 32\r\nAnswer :  32\r\n";
    String cr = "7 + 5 = 12\r12 * 3 = 36\r36 - 4 = 32\ranswer: 32\r";

    StepCheck check = checker.check(SEVEN, crlf);

    assertThat(check.fullyCorrect()).isTrue();
    assertThat(check.steps())
        .extracting(StepVerdict::text)
        .containsExactly("7+5=12", "12 *3 =  36", "36 - 4 = 32");
    assertThat(checker.check(SEVEN, cr).fullyCorrect()).isTrue();
  }

  @Test
  void negativeNumbers() {
    StepCheck reference = checker.check(NEGATIVE, NEGATIVE.referenceSolution());
    StepCheck wrong = checker.check(NEGATIVE, "3 - 8 = 5\n-5 * -2 = 10\n-10-1=-11\nanswer: -11");

    assertThat(reference.fullyCorrect()).isTrue();
    assertThat(reference.finalAnswer()).contains(-11L);
    assertThat(wrong.firstError()).hasValue(0);
    assertThat(reasons(wrong))
        .containsExactly(
            "3 - 8 = 5 is false (3 - 8 = -5)",
            "applies * -2, the problem's step 2 is * 2",
            "correct");
    assertThat(wrong.answerCorrect()).isTrue();
  }

  @Test
  void numbersBeyondEighteenDigitsAreUnparsable() {
    StepCheck check =
        checker.check(
            SEVEN,
            "99999999999999999999999 + 5 = 12\n12 * 3 = 9223372036854775807\nanswer: 99999999999999999999");

    assertThat(reasons(check))
        .containsExactly(
            "unparsable step '99999999999999999999999 + 5 = 12'",
            "unparsable step '12 * 3 = 9223372036854775807'");
    assertThat(check.finalAnswer()).isEmpty();
  }

  @Test
  void prefixCorrectIsTheTruthOfTheFirstTSteps() {
    StepCheck broken = checker.check(SEVEN, "7 + 5 = 12\n11 * 3 = 33\n36 - 4 = 32\nanswer: 32");
    StepCheck missing = checker.check(SEVEN, "7 + 5 = 12\n12 * 3 = 36");
    StepCheck right = checker.check(SEVEN, SEVEN.referenceSolution());

    assertThat(prefixes(broken, 4)).containsExactly(true, true, false, false, false);
    assertThat(prefixes(missing, 4)).containsExactly(true, true, true, false, false);
    assertThat(prefixes(right, 4)).containsExactly(true, true, true, true, false);
    assertThatThrownBy(() -> right.prefixCorrect(-1))
        .hasMessage("Invalid value -1 for t: must be >= 0");
  }

  @Test
  void referenceSolutionsOfGeneratedProblemsAreFullyCorrect() {
    for (ArithSplit split : ArithSplit.values()) {
      for (ArithProblem problem :
          new ArithGenerator(ArithSpec.defaults(), split, 5).generate(1000)) {
        StepCheck check = checker.check(problem, problem.referenceSolution());

        assertThat(check.fullyCorrect()).as(problem.referenceSolution()).isTrue();
        assertThat(check.steps()).hasSize(problem.operations().size());
      }
    }
  }

  @Test
  void randomTextNeverThrowsAndKeepsTheInvariants() {
    SplittableRandom random = new SplittableRandom(2024);
    String alphabet = "0123456789+-*= \n\r\tanswer:start,x";
    List<ArithProblem> problems =
        new ArithGenerator(ArithSpec.defaults(), ArithSplit.TRAIN, 9).generate(100);
    for (int i = 0; i < 20_000; i++) {
      ArithProblem problem = problems.get(i % problems.size());
      String text =
          switch (i % 3) {
            case 0 -> randomText(random, alphabet);
            case 1 -> randomUnicode(random);
            default -> mutate(random, problem.referenceSolution(), alphabet);
          };

      StepCheck check = checker.check(problem, text);

      int present = check.steps().size();
      for (int t = 0; t <= present + 1; t++) {
        assertThat(check.prefixCorrect(t))
            .as("t=%d of %s", t, text)
            .isEqualTo(t <= check.firstError().orElse(present));
      }
      assertThat(check.fullyCorrect())
          .isEqualTo(check.firstError().isEmpty() && check.answerCorrect());
    }
  }

  private static List<String> reasons(StepCheck check) {
    return check.steps().stream().map(StepVerdict::reason).toList();
  }

  private static List<Boolean> prefixes(StepCheck check, int maxT) {
    return IntStream.rangeClosed(0, maxT).mapToObj(check::prefixCorrect).toList();
  }

  private static String randomText(SplittableRandom random, String alphabet) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(0, 80);
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  private static String randomUnicode(SplittableRandom random) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(0, 80);
    for (int i = 0; i < length; i++) {
      // Any UTF-16 unit, lone surrogates and U+2028 included.
      text.append((char) random.nextInt(0, 0x10000));
    }
    return text.toString();
  }

  private static String mutate(SplittableRandom random, String reference, String alphabet) {
    StringBuilder text = new StringBuilder(reference);
    int edits = random.nextInt(0, 4);
    for (int i = 0; i < edits; i++) {
      int at = random.nextInt(0, text.length() + 1);
      switch (random.nextInt(3)) {
        case 0 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
        case 1 -> {
          if (at < text.length()) {
            text.deleteCharAt(at);
          }
        }
        default -> text.insert(at, "99999999999999999999");
      }
    }
    return text.toString();
  }
}
