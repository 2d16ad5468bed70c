package dev.rlflow.core.task.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.rlflow.core.answer.AnswerVerifier;
import dev.rlflow.core.answer.StepSplitter;
import dev.rlflow.core.task.Problem;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {
  private static final String LONG_QUESTION = "x".repeat(600);

  /** GSM8K lines as they stand in the file; JSON escapes are written {@code \\n}, {@code \\\\}. */
  private static final List<String> GSM8K_LINES =
      List.of(
          /* 1 */ "{\"question\": \"Natalia sold clips to 48 of her friends in April, and then she"
              + " sold half as many clips in May. How many clips did Natalia sell altogether?\","
              + " \"answer\": \"Natalia sold 48/2 = <<48/2=24>>24 clips in May.\\nNatalia sold"
              + " 48+24 = <<48+24=72>>72 clips altogether in April and May.\\n#### 72\"}",
          /* 2 */ "",
          /* 3 */ "{\"question\": \"Broken\", \"answer\": ",
          /* 4 */ "[1, 2]",
          /* 5 */ "{\"question\": \"What is 2+2?\"}",
          /* 6 */ "{\"question\": 7, \"answer\": \"#### 7\"}",
          /* 7 */ "{\"question\": \"No final line?\", \"answer\": \"It is 5.\"}",
          /* 8 */ "{\"id\": \"custom-7\", \"question\": \"Tom checks his notes.\", \"answer\":"
              + " \"2*3 = <<2*3=7>>6\\n3/2 = <<3/2=1.5>>1.5 and 2/3 = <<2/3=0.67>>0.67\\n"
              + "7/2 = <<7/2=3>>3\\n2**3 = <<2**3=8>>8\\n(10-4)/(1+2) = <<(10-4)/(1+2)=2>>2\\n"
              + "-5+10 = <<-5+10=5>>5\\n#### 5\"}",
          /* 9 */ "{\"id\": 42, \"question\": \"A shop sells 1000 pens a day. How many in 12"
              + " days?\", \"answer\": \"1000 * 12 = <<1000*12=12000>>12,000 pens.\\n#### 12,000\"}",
          /* 10 */ "{\"question\": \"   \", \"answer\": \"#### 1\"}",
          /* 11 */ "{\"id\": \"custom-7\", \"question\": \"Again?\", \"answer\": \"#### 2\"}",
          /* 12 */ "{\"question\": \"" + LONG_QUESTION + "\", \"answer\": \"no final line\"}",
          /* 13 */ "{\"question\": \"Empty?\", \"answer\": \"Some work\\n####   \"}",
          /* 14 */ "{\"question\": \"Q\", \"answer\": \"#### 3\", \"id\": {\"a\": 1}}",
          /* 15 */ "{\"question\": \"Trailing\", \"answer\": \"#### 1\"} {}",
          /* 16 */ "{\"question\": \"Null\", \"answer\": null}",
          /* 17 */ "   ",
          /* 18 */ "{\"question\": \"What is 5 - 2?\", \"answer\": \"5 - 2 = <<5-2=3>>3\\n\\n#### 3\\n\"}");

  private static final List<String> MATH_LINES =
      List.of(
          /* 1 */ "{\"problem\": \"What is $\\\\frac{1}{2} + \\\\frac{1}{4}$?\", \"solution\":"
              + " \"We have $\\\\frac{1}{2} + \\\\frac{1}{4} = \\\\frac{2}{4} + \\\\frac{1}{4} ="
              + " \\\\boxed{\\\\frac{3}{4}}$.\", \"level\": \"Level 1\", \"type\": \"Prealgebra\"}",
          /* 2 */ "{\"problem\": \"Missing solution\"}",
          /* 3 */ "{\"problem\": \"No box\", \"solution\": \"The answer is 5.\"}",
          /* 4 */ "{\"problem\": [\"not\", \"text\"], \"solution\": \"\\\\boxed{1}\"}",
          /* 5 */ "{\"id\": \"algebra-12\", \"problem\": \"Find the point.\", \"solution\":"
              + " \"Try $\\\\boxed{2}$ first.\\nThe point is $\\\\boxed{\\\\left(1,\\n 2\\\\right)}$."
              + "\\n\"}",
          /* 6 */ "\"just a string\"",
          /* 7 */ "null",
          /* 8 */ "{\"problem\": \"Empty box\", \"solution\": \"So $\\\\boxed{ }$.\"}");

  @TempDir Path dir;

  @Test
  void readsGsm8kGoodLinesAndDeadLettersTheRest() throws IOException {
    Path file = write("train.jsonl", GSM8K_LINES);

    DatasetReadResult result = DatasetReader.read(Layout.GSM8K, file);

    assertThat(result.source()).isEqualTo("train.jsonl");
    assertThat(result.layout()).isEqualTo(Layout.GSM8K);
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                "train.jsonl:1",
                "Natalia sold clips to 48 of her friends in April, and then she sold half as many"
                    + " clips in May. How many clips did Natalia sell altogether?",
                "Natalia sold 48/2 = 24 clips in May.\n"
                    + "Natalia sold 48+24 = 72 clips altogether in April and May.\n"
                    + "answer: 72",
                "72"),
            new Problem(
                "custom-7",
                "Tom checks his notes.",
                "2*3 = 6\n3/2 = 1.5 and 2/3 = 0.67\n7/2 = 3\n2**3 = 8\n(10-4)/(1+2) = 2\n"
                    + "-5+10 = 5\nanswer: 5",
                "5"),
            new Problem(
                "42",
                "A shop sells 1000 pens a day. How many in 12 days?",
                "1000 * 12 = 12,000 pens.\nanswer: 12,000",
                "12,000"),
            new Problem("train.jsonl:18", "What is 5 - 2?", "5 - 2 = 3\n\nanswer: 3", "3"));
    assertThat(result.deadLetters())
        .containsExactly(
            dead(3, "invalid JSON: Unexpected end-of-input within/between Object entries"),
            dead(4, "expected a JSON object, got array"),
            dead(5, "missing field 'answer'"),
            dead(6, "field 'question' must be a non-empty string, got number"),
            dead(7, "answer has no final '#### N' line"),
            dead(10, "field 'question' must be a non-empty string, got blank string"),
            dead(11, "duplicate id 'custom-7', first used on line 8"),
            new DeadLetter(
                "train.jsonl",
                12,
                GSM8K_LINES.get(11).substring(0, 500) + "... (643 chars)",
                "answer has no final '#### N' line"),
            dead(13, "answer has an empty final '#### N' line"),
            dead(14, "field 'id' must be a non-empty string or a number, got object"),
            dead(
                15,
                "invalid JSON: Trailing token (of type START_OBJECT) found after value (bound as"
                    + " `com.fasterxml.jackson.databind.JsonNode`): not allowed as per"
                    + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`"),
            dead(16, "field 'answer' must be a non-empty string, got null"));
  }

  @Test
  void checksGsm8kCalculatorAnnotations() throws IOException {
    DatasetReadResult result = DatasetReader.read(Layout.GSM8K, write("train.jsonl", GSM8K_LINES));

    // 2 + 7 + 1 + 1 annotations on the good lines 1, 8, 9 and 18; bad lines are not counted.
    assertThat(result.annotationCount()).isEqualTo(11);
    assertThat(result.annotationErrors()).isEqualTo(3);
    assertThat(result.annotationMismatches())
        .containsExactly(
            new AnnotationMismatch("train.jsonl", 8, "<<2*3=7>>", "2*3 evaluates to 6, stated 7"),
            new AnnotationMismatch("train.jsonl", 8, "<<7/2=3>>", "7/2 evaluates to 7/2, stated 3"),
            new AnnotationMismatch(
                "train.jsonl",
                8,
                "<<2**3=8>>",
                "cannot evaluate '2**3': unexpected '*' at position 3"));
  }

  @Test
  void readsMathTakingLastBoxAsAnswer() throws IOException {
    DatasetReadResult result =
        DatasetReader.read(Layout.MATH, new StringReader(String.join("\n", MATH_LINES)), "test");

    assertThat(result.problems())
        .containsExactly(
            new Problem(
                "test:1",
                "What is $\\frac{1}{2} + \\frac{1}{4}$?",
                "We have $\\frac{1}{2} + \\frac{1}{4} = \\frac{2}{4} + \\frac{1}{4} ="
                    + " \\boxed{\\frac{3}{4}}$.\nanswer: \\frac{3}{4}",
                "\\frac{3}{4}"),
            new Problem(
                "algebra-12",
                "Find the point.",
                "Try $\\boxed{2}$ first.\nThe point is $\\boxed{\\left(1,\n 2\\right)}$.\n"
                    + "answer: \\left(1, 2\\right)",
                "\\left(1,\n 2\\right)"));
    assertThat(result.deadLetters())
        .extracting(DeadLetter::lineNumber, DeadLetter::reason)
        .containsExactly(
            tuple(2L, "missing field 'solution'"),
            tuple(3L, "solution has no '\\boxed{...}' answer"),
            tuple(4L, "field 'problem' must be a non-empty string, got array"),
            tuple(6L, "expected a JSON object, got string"),
            tuple(7L, "expected a JSON object, got null"),
            tuple(8L, "solution has no '\\boxed{...}' answer"));
    assertThat(result.annotationCount()).isZero();
    assertThat(result.annotationMismatches()).isEmpty();
  }

  @Test
  void verifierAcceptsEveryReferenceSolution() throws IOException {
    AnswerVerifier verifier = new AnswerVerifier();
    List<Problem> problems =
        new ArrayList<>(
            DatasetReader.read(Layout.GSM8K, write("train.jsonl", GSM8K_LINES)).problems());
    problems.addAll(DatasetReader.read(Layout.MATH, write("math.jsonl", MATH_LINES)).problems());

    assertThat(problems).hasSize(6);
    for (Problem problem : problems) {
      assertThat(verifier.verify(problem.referenceSolution(), problem.referenceAnswer()).correct())
          .as(problem.id())
          .isTrue();
    }
  }

  @Test
  void referenceSolutionSplitsIntoStepsAndAnswerLine() throws IOException {
    Problem natalia =
        DatasetReader.read(Layout.GSM8K, write("train.jsonl", GSM8K_LINES)).problems().get(0);

    StepSplitter.Split split = StepSplitter.NEWLINE.split(natalia.referenceSolution());

    assertThat(split.steps())
        .containsExactly(
            "Natalia sold 48/2 = 24 clips in May.",
            "Natalia sold 48+24 = 72 clips altogether in April and May.");
    assertThat(split.answerLine()).contains("answer: 72");
  }

  @Test
  void skipsByteOrderMarkAndBlankLines() throws IOException {
    String text = "\uFEFF{\"question\": \"Q\", \"answer\": \"#### 1\"}\r\n\r\n";

    DatasetReadResult result = DatasetReader.read(Layout.GSM8K, new StringReader(text), "bom");

    assertThat(result.problems()).containsExactly(new Problem("bom:1", "Q", "answer: 1", "1"));
    assertThat(result.deadLetters()).isEmpty();
  }

  @Test
  void readsFilesAsUtf8() throws IOException {
    Path file = dir.resolve("utf8.jsonl");
    Files.write(
        file,
        "{\"question\": \"Wie viele Äpfel − genau?\", \"answer\": \"#### −3\"}"
            .getBytes(StandardCharsets.UTF_8));

    assertThat(DatasetReader.read(Layout.GSM8K, file).problems())
        .containsExactly(
            new Problem("utf8.jsonl:1", "Wie viele Äpfel − genau?", "answer: −3", "−3"));
  }

  @Test
  void looksUpLayoutByLowerCaseName() {
    assertThat(Layout.fromName("gsm8k")).isEqualTo(Layout.GSM8K);
    assertThat(Layout.fromName("math")).isEqualTo(Layout.MATH);
    assertThat(Layout.fromName(" MATH ")).isEqualTo(Layout.MATH);
    assertThat(Layout.MATH.configName()).isEqualTo("math");
    assertThatThrownBy(() -> Layout.fromName("csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 'csv' for dataset layout: must be one of [gsm8k, math]");
  }

  private DeadLetter dead(long lineNumber, String reason) {
    return new DeadLetter("train.jsonl", lineNumber, GSM8K_LINES.get((int) lineNumber - 1), reason);
  }

  private Path write(String name, List<String> lines) throws IOException {
    return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
  }
}
