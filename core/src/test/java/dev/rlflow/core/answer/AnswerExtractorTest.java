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

class AnswerExtractorTest {

  static Stream<Arguments> texts() {
    return Stream.of(
        arguments("answer: 32", "32"),
        arguments("ANSWER: 32", "32"),
        arguments("Final Answer: 9", "9"),
        arguments("answer:   42  ", "42"),
        arguments("3 + 4 = 7\nanswer: 7\n", "7"),
        arguments("answer: 31\nchecking again\nAnswer: 32", "32"),
        arguments("#### 72", "72"),
        arguments("She has 1000 coins.\n#### 1,000", "1,000"),
        arguments("####72", "72"),
        arguments("#### 5\n#### 6", "6"),
        // answer: wins over #### and \boxed by kind, wherever it stands
        arguments("answer: 6\n#### 5", "6"),
        arguments("#### 5\nanswer: 6", "6"),
        arguments("so \\boxed{5}\nanswer: 6", "6"),
        arguments("answer: 6\nso \\boxed{5}", "6"),
        arguments("so \\boxed{5}\n#### 6", "6"),
        arguments("answer: $\\boxed{12}$", "12"),
        arguments("answer:\nwe get \\boxed{4}", "4"),
        // \boxed: balanced braces, last one wins
        arguments("The answer is $\\boxed{5}$.", "5"),
        arguments("$\\boxed{\\frac{1}{2}}$", "\\frac{1}{2}"),
        arguments("\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{\\sqrt{3}}{2}"),
        arguments("first \\boxed{3}, then \\boxed{4}", "4"),
        arguments("\\fbox{7}", "7"),
        arguments("\\boxed {8}", "8"),
        arguments("\\boxed{\\{1,2\\}}", "\\{1,2\\}"),
        arguments("\\boxed{ 9 }", "9"),
        arguments("\\boxed{3} then \\boxed{4", "3"),
        arguments("\\boxed{3} then \\boxed{}", "3"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("texts")
  void extractsTheFinalAnswer(String text, String expected) {
    assertThat(AnswerExtractor.extract(text)).contains(expected);
  }

  static Stream<String> textsWithoutAnswer() {
    return Stream.of(
        "",
        "The answer is 5.",
        "The answer: 5",
        "answer:",
        "\\boxed{}",
        "\\boxed{5",
        "\\boxed 5",
        "\\boxedx{5}");
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @MethodSource("textsWithoutAnswer")
  void findsNoAnswerWithoutMarker(String text) {
    assertThat(AnswerExtractor.extract(text)).isEqualTo(Optional.empty());
  }

  @Test
  @Timeout(5)
  void staysLinearOnDegenerateRepetition() {
    // A policy stuck in a loop can emit thousands of unclosed boxes; each must not rescan the rest.
    String loop = "\\boxed{\\text{".repeat(50_000) + "\\boxed{1}";

    assertThat(AnswerExtractor.extract(loop)).contains("1");
    assertThat(AnswerEquivalence.equivalent(loop, loop)).isTrue();
  }

  @Test
  void lastBoxedIgnoresAnswerLines() {
    assertThat(AnswerExtractor.lastBoxed("answer: 5")).isEqualTo(Optional.empty());
    assertThat(AnswerExtractor.lastBoxed("\\boxed{2}\nanswer: 5")).contains("2");
  }
}
