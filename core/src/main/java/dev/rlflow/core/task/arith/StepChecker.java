package dev.rlflow.core.task.arith;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ground-truth step checker of the arithmetic task: it judges every step of any candidate
 * solution text and never throws on a non-null text. It is the oracle against which process labels
 * (OmegaPRM, ALGORITHMS.md §1) and PRM accuracy are measured.
 *
 * <p>Reading the text: lines end at {@code \n}, {@code \r\n} or {@code \r}; blank lines are
 * skipped; a line that starts with {@code answer:} (any case, spaces allowed around the colon) is
 * an answer line, the last one gives the final answer; every other line is a step, wherever it
 * stands.
 *
 * <p>Step {@code i} is correct iff, checked in this order, each failure giving the reason shown:
 *
 * <ol>
 *   <li>the problem has an operation {@code i}: {@code extra step: the problem has 3 operations};
 *   <li>it parses as {@code a op b = c}, integers with an optional leading {@code -} and at most 18
 *       digits, spaces anywhere between the tokens: {@code unparsable step 'xyz'};
 *   <li>{@code a} is the true value before step {@code i} (the start for step 0): {@code starts
 *       from 11, expected 12 (the previous result)} or {@code ... (the start value)};
 *   <li>{@code op b} is the problem's operation {@code i}, numbered from 1 in the text: {@code
 *       applies * 4, the problem's step 2 is * 3};
 *   <li>{@code c == a op b}: {@code 7 + 5 = 13 is false (7 + 5 = 12)}.
 * </ol>
 *
 * A correct step has the reason {@code correct}. Later steps are judged against the true chain, not
 * against a wrong step's result, so that each verdict says whether that step itself is right.
 */
public final class StepChecker {

  private static final String CORRECT = "correct";

  // At most 18 digits: every such number fits in a long, so parsing cannot overflow.
  private static final String INTEGER = "(-?\\d{1,18})";
  private static final Pattern STEP =
      Pattern.compile(INTEGER + "\\s*([-+*])\\s*" + INTEGER + "\\s*=\\s*" + INTEGER);
  // DOTALL: a line may still hold separators such as U+2028 that '.' would not match.
  private static final Pattern ANSWER_LINE =
      Pattern.compile("answer\\s*:(.*)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern ANSWER_VALUE = Pattern.compile("\\s*" + INTEGER + "\\s*");

  /** Checks {@code solution} against {@code problem}; never throws on a non-null solution. */
  public StepCheck check(ArithProblem problem, String solution) {
    Objects.requireNonNull(problem, "problem");
    Objects.requireNonNull(solution, "solution");
    List<ArithProblem.Operation> operations = problem.operations();
    List<Long> values = problem.values();
    List<StepVerdict> steps = new ArrayList<>();
    Optional<Long> finalAnswer = Optional.empty();
    for (String line : solution.lines().toList()) {
      String text = line.strip();
      if (text.isEmpty()) {
        continue;
      }
      Matcher answer = ANSWER_LINE.matcher(text);
      if (answer.matches()) {
        Matcher value = ANSWER_VALUE.matcher(answer.group(1));
        finalAnswer =
            value.matches() ? Optional.of(Long.parseLong(value.group(1))) : Optional.empty();
        continue;
      }
      int index = steps.size();
      String reason = judge(problem, operations, values, index, text);
      steps.add(new StepVerdict(index, text, reason.equals(CORRECT), reason));
    }
    return new StepCheck(steps, operations.size(), problem.answer(), finalAnswer);
  }

  /** The reason step {@code index} is wrong, or {@link #CORRECT}. */
  private static String judge(
      ArithProblem problem,
      List<ArithProblem.Operation> operations,
      List<Long> values,
      int index,
      String text) {
    if (index >= operations.size()) {
      int n = operations.size();
      return "extra step: the problem has " + n + (n == 1 ? " operation" : " operations");
    }
    Matcher step = STEP.matcher(text);
    if (!step.matches()) {
      return "unparsable step '" + text + "'";
    }
    long a = Long.parseLong(step.group(1));
    // The pattern admits only the three symbols, so the lookup always succeeds.
    ArithOp op = ArithOp.ofSymbol(step.group(2).charAt(0)).orElseThrow();
    long b = Long.parseLong(step.group(3));
    long c = Long.parseLong(step.group(4));

    long expectedA = index == 0 ? problem.start() : values.get(index - 1);
    if (a != expectedA) {
      String which = index == 0 ? "the start value" : "the previous result";
      return "starts from " + a + ", expected " + expectedA + " (" + which + ")";
    }
    ArithProblem.Operation expected = operations.get(index);
    if (op != expected.op() || b != expected.operand()) {
      return "applies "
          + op.symbol()
          + " "
          + b
          + ", the problem's step "
          + (index + 1)
          + " is "
          + expected.op().symbol()
          + " "
          + expected.operand();
    }
    // a and op b are the problem's own, so a op b is the chain's value: no overflow here.
    long result = values.get(index);
    if (c != result) {
      return ArithProblem.stepText(a, op, b, c)
          + " is false ("
          + ArithProblem.stepText(a, op, b, result)
          + ")";
    }
    return CORRECT;
  }
}
