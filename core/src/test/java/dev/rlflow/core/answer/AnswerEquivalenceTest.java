package dev.rlflow.core.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnswerEquivalenceTest {

  static Stream<Arguments> pairs() {
    return Stream.of(
        // integers and decimals
        arguments("72", "72", true),
        arguments("31", "32", false),
        arguments("2.0", "2", true),
        arguments("2.50", "2.5", true),
        arguments(".5", "0.5", true),
        arguments("0.5", "5", false),
        arguments("007", "7", true),
        arguments("-0", "0", true),
        arguments("+5", "5", true),
        arguments("5", "-5", false),
        arguments("−5", "-5", true),
        // thousands separators
        arguments("1,000", "1000", true),
        arguments("12,345.6", "12345.6", true),
        arguments("1,234,567", "1234567", true),
        arguments("10{,}000", "10000", true),
        arguments("1\\,000", "1000", true),
        arguments("1,0000", "10000", false),
        arguments("1,2", "12", false),
        arguments("(1,2)", "12", false),
        // fractions, exactly
        arguments("3/4", "0.75", true),
        arguments("6/8", "3/4", true),
        arguments("\\frac{3}{4}", "0.75", true),
        arguments("\\dfrac{3}{4}", "3/4", true),
        arguments("\\tfrac34", "0.75", true),
        arguments("\\frac34", "\\frac{3}{4}", true),
        arguments("-\\frac{1}{2}", "-0.5", true),
        arguments("\\frac{-1}{2}", "-1/2", true),
        arguments("\\dfrac{-3}{4}", "-0.75", true),
        arguments("\\frac{1}{2}", "\\frac{1}{3}", false),
        arguments("1/3", "0.333", false),
        arguments("\\frac{1}{3}", "0.3333333333", false),
        arguments("1/0", "0", false),
        // wrappers and notation
        arguments("$18.00", "18", true),
        arguments("\\$18.00", "18", true),
        arguments("\\$1,000.50", "1000.5", true),
        arguments("$\\frac{1}{2}$", "0.5", true),
        arguments("\\(12\\)", "12", true),
        arguments("12.", "12", true),
        arguments("{5}", "5", true),
        arguments("\\boxed{7}", "7", true),
        arguments("90^\\circ", "90", true),
        arguments("\\!1\\,000", "1000", true),
        // units, percent, assignments
        arguments("18 dollars", "18", true),
        arguments("5 cm", "5", true),
        arguments("5\\text{ cm}", "5", true),
        arguments("\\text{5 apples}", "5", true),
        arguments("3 m/s", "3", true),
        arguments("5 \\text{ cm}^2", "5", true),
        arguments("\\frac{1}{2} cup", "0.5", true),
        arguments("x = 5", "5", true),
        arguments("50\\%", "50", true),
        arguments("50%", "50", true),
        arguments("50%", "0.5", false),
        arguments("5cm", "5", false),
        arguments("3x", "3", false),
        arguments("2 \\text{ or } 3", "2", false),
        // not read as numbers
        arguments("0.1+0.2", "0.3", false),
        arguments("1e3", "1000", false),
        arguments("1e3", "1e3", true),
        // text answers
        arguments("\\left( 1, 2 \\right)", "(1,2)", true),
        arguments("(1,2)", "(2,1)", false),
        arguments("\\sqrt{3}", "\\sqrt3", true),
        arguments("\\sqrt{2}", "\\sqrt{3}", false),
        arguments("\\frac{\\sqrt{3}}{2}", "\\dfrac{\\sqrt3}{2}", true),
        arguments("2 \\pi", "2\\pi", true),
        arguments("\\text{(B)}", "(B)", true),
        arguments("x", "X", false),
        arguments("[-1, 3)", "\\left[-1,3\\right)", true),
        // blank answers equal nothing
        arguments("", "0", false),
        arguments("", "", false),
        arguments("  ", "$ $", false));
  }

  @ParameterizedTest(name = "[{index}] ''{0}'' vs ''{1}'' -> {2}")
  @MethodSource("pairs")
  void decidesEquivalence(String answer, String reference, boolean expected) {
    assertThat(AnswerEquivalence.equivalent(answer, reference)).isEqualTo(expected);
    assertThat(AnswerEquivalence.equivalent(reference, answer)).as("symmetric").isEqualTo(expected);
  }

  static Stream<Arguments> degenerateCompletions() {
    // What a policy stuck in a loop emits; each must be answered quickly and without a stack
    // overflow, which would fail the whole reward task.
    return Stream.of(
        arguments("5" + " a".repeat(50_000), false),
        arguments("5 m" + "/s".repeat(50_000), false),
        arguments("1" + ",000".repeat(50_000), false),
        arguments("\\text{".repeat(20_000) + "5" + "}".repeat(20_000), true),
        arguments("{".repeat(50_000) + "5" + "}".repeat(50_000), true));
  }

  @ParameterizedTest(name = "[{index}] -> {1}")
  @MethodSource("degenerateCompletions")
  @Timeout(5)
  void survivesDegenerateCompletions(String answer, boolean equalsFive) {
    assertThat(AnswerEquivalence.equivalent(answer, "5")).isEqualTo(equalsFive);
  }

  @Test
  void readsExactValues() {
    assertThat(AnswerEquivalence.numericValue("\\dfrac{-3}{4}")).contains(Rational.of(-3, 4));
    assertThat(AnswerEquivalence.numericValue("12,345.6")).contains(Rational.of(61728, 5));
    assertThat(AnswerEquivalence.numericValue("\\$18.00")).contains(Rational.of(18));
    assertThat(AnswerEquivalence.numericValue("(1,2)")).isEqualTo(Optional.empty());
    assertThat(AnswerEquivalence.numericValue("1e3")).isEqualTo(Optional.empty());
  }
}
