package dev.rlflow.core.task.dataset;

import dev.rlflow.core.task.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a GSM8K line into a problem.
 *
 * <p>The reference solution is the {@code answer} text with its calculator annotations removed and
 * its final {@code #### N} line rewritten as {@code answer: N}, the answer convention every rlflow
 * task shares; the reference answer is {@code N} as written.
 */
final class Gsm8kParser {
  private static final Pattern FINAL_LINE = Pattern.compile("[ \\t]*####(.*)");

  private Gsm8kParser() {}

  static ParsedProblem parse(JsonLine line) throws MalformedRecordException {
    String question = line.requiredText("question");
    String answer = line.requiredText("answer");
    String id = line.id();

    List<String> lines = new ArrayList<>(Arrays.asList(answer.split("\\r?\\n", -1)));
    while (lines.get(lines.size() - 1).isBlank()) {
      lines.remove(lines.size() - 1);
    }
    Matcher finalLine = FINAL_LINE.matcher(lines.remove(lines.size() - 1));
    if (!finalLine.matches()) {
      throw new MalformedRecordException("answer has no final '#### N' line");
    }
    String referenceAnswer = finalLine.group(1).strip();
    if (referenceAnswer.isEmpty()) {
      throw new MalformedRecordException("answer has an empty final '#### N' line");
    }

    List<String> solution = new ArrayList<>();
    List<AnnotationMismatch> mismatches = new ArrayList<>();
    int annotations = 0;
    for (String step : lines) {
      for (CalculatorAnnotation annotation : CalculatorAnnotation.findAll(step)) {
        annotations++;
        annotation
            .mismatch()
            .ifPresent(
                reason ->
                    mismatches.add(
                        new AnnotationMismatch(
                            line.source(), line.lineNumber(), annotation.written(), reason)));
      }
      solution.add(CalculatorAnnotation.strip(step));
    }
    solution.add("answer: " + referenceAnswer);
    return new ParsedProblem(
        new Problem(id, question, String.join("\n", solution), referenceAnswer),
        annotations,
        mismatches);
  }
}
