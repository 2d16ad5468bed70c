package dev.rlflow.core.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StepSplitterTest {

  @Test
  void splitsAtNewlinesTrimsAndDropsBlankSteps() {
    StepSplitter.Split split =
        StepSplitter.NEWLINE.split("  48 / 2 = 24 \n\n   \n48 + 24 = 72\r\nanswer: 72\n");

    assertThat(split.steps()).containsExactly("48 / 2 = 24", "48 + 24 = 72");
    assertThat(split.answerLine()).contains("answer: 72");
  }

  @Test
  void setsGsm8kAnswerLineApart() {
    assertThat(StepSplitter.NEWLINE.split("a = 1\nb = 2\n#### 3"))
        .isEqualTo(new StepSplitter.Split(List.of("a = 1", "b = 2"), Optional.of("#### 3")));
  }

  @Test
  void keepsBoxedSentenceAsStep() {
    assertThat(StepSplitter.NEWLINE.steps("x = 2\nSo the answer is $\\boxed{2}$."))
        .containsExactly("x = 2", "So the answer is $\\boxed{2}$.");
  }

  @Test
  void returnsLastAnswerLineAndNoneWhenAbsent() {
    assertThat(StepSplitter.NEWLINE.split("answer: 1\nstep\nAnswer: 2").answerLine())
        .contains("Answer: 2");
    assertThat(StepSplitter.NEWLINE.split("one\ntwo"))
        .isEqualTo(new StepSplitter.Split(List.of("one", "two"), Optional.empty()));
    assertThat(StepSplitter.NEWLINE.split(""))
        .isEqualTo(new StepSplitter.Split(List.of(), Optional.empty()));
  }

  @Test
  void removesAnswerLineInsideStepsOfCustomSeparator() {
    StepSplitter paragraphs = new StepSplitter("\n\n");

    StepSplitter.Split split =
        paragraphs.split("First we add.\n2 + 3 = 5\n\nThen we double.\n5 * 2 = 10\nanswer: 10");

    assertThat(split.steps())
        .containsExactly("First we add.\n2 + 3 = 5", "Then we double.\n5 * 2 = 10");
    assertThat(split.answerLine()).contains("answer: 10");
  }

  @Test
  void splitsAtAnyLiteralSeparator() {
    assertThat(new StepSplitter(" ; ").steps("a+b ; c.d ;  ; answer: 4"))
        .containsExactly("a+b", "c.d");
  }

  @Test
  void rejectsEmptySeparator() {
    assertThatThrownBy(() -> new StepSplitter(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value '' for step separator: must be a non-empty string");
  }
}
