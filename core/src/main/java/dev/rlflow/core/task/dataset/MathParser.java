package dev.rlflow.core.task.dataset;

import dev.rlflow.core.answer.AnswerExtractor;
import dev.rlflow.core.task.Problem;
import java.util.List;

/**
 * Turns a MATH line into a problem.
 *
 * <p>The reference answer is the content of the solution's last {@code \boxed{...}}. The reference
 * solution is the solution as written followed by an {@code answer: X} line, so that MATH and GSM8K
 * problems end the same way for supervised fine-tuning and step splitting; the box stays in the
 * text, where it closes the last sentence of reasoning.
 */
final class MathParser {
  private MathParser() {}

  static ParsedProblem parse(JsonLine line) throws MalformedRecordException {
    String problem = line.requiredText("problem");
    String solution = line.requiredText("solution");
    String id = line.id();
    String referenceAnswer =
        AnswerExtractor.lastBoxed(solution)
            .orElseThrow(
                () -> new MalformedRecordException("solution has no '\\boxed{...}' answer"));
    // An answer line must stay one line; whitespace inside a box never changes its meaning.
    String answerLine = "answer: " + referenceAnswer.replaceAll("\\s+", " ");
    return new ParsedProblem(
        new Problem(id, problem, solution.stripTrailing() + "\n" + answerLine, referenceAnswer),
        0,
        List.of());
  }
}
