package dev.rlflow.core.task.arith;

import dev.rlflow.core.task.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * One arithmetic problem: a start value and a chain of operations, each applied to the previous
 * result.
 *
 * <p>Texts are compact and perfectly regular because a character-level model learns them:
 *
 * <ul>
 *   <li>question: {@code start 7, +5, *3, -4}
 *   <li>reference solution, lines joined by {@code "\n"} with no trailing newline: {@code 7 + 5 =
 *       12}, {@code 12 * 3 = 36}, {@code 36 - 4 = 32}, {@code answer: 32}
 * </ul>
 *
 * Negative values print with a leading {@code -}, as in {@code 3 - 8 = -5} then {@code -5 * 2 =
 * -10}.
 *
 * @param id stable identifier, for example {@code arith-train-42-0}
 * @param start the value the chain starts from
 * @param operations the operations in order, at least one; every value of the chain must fit in a
 *     long
 */
public record ArithProblem(String id, long start, List<Operation> operations) {

  /**
   * One step of the chain: apply {@code op} with {@code operand} to the previous result.
   *
   * @param op the operation
   * @param operand the right-hand operand, {@code >= 1} so that texts never hold {@code +-3}
   */
  public record Operation(ArithOp op, long operand) {
    public Operation {
      Objects.requireNonNull(op, "op");
      if (operand < 1) {
        throw new IllegalArgumentException(
            "Invalid value " + operand + " for operand: must be >= 1");
      }
    }

    /** The operation as written in a question, for example {@code *3}. */
    String text() {
      return op.symbol() + Long.toString(operand);
    }
  }

  public ArithProblem {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("ArithProblem id must not be blank");
    }
    operations = List.copyOf(operations);
    if (operations.isEmpty()) {
      throw new IllegalArgumentException("Invalid value [] for operations: must not be empty");
    }
    // Fail here rather than in values(), so that every constructed problem has a chain and the
    // step checker never meets an overflow of the problem itself.
    try {
      chain(start, operations);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "Invalid problem " + id + ": a value of the chain does not fit in a long", e);
    }
  }

  /** The question shown to the policy: {@code start <n>} then {@code , <sym><operand>} per step. */
  public String question() {
    StringBuilder text = new StringBuilder("start ").append(start);
    for (Operation operation : operations) {
      text.append(", ").append(operation.text());
    }
    return text.toString();
  }

  /**
   * The problem a question text states ({@code start 7, +5, *3, -4}), the inverse of {@link
   * #question()}: how operators that see only the text get the ground truth back.
   *
   * @throws IllegalArgumentException naming the text when it is not an arith question
   */
  public static ArithProblem parse(String id, String question) {
    String[] parts = question.strip().split(",\\s*");
    if (parts.length < 2 || !parts[0].startsWith("start ")) {
      throw new IllegalArgumentException("Not an arith question: '" + question + "'");
    }
    try {
      long start = Long.parseLong(parts[0].substring("start ".length()).strip());
      List<Operation> operations = new java.util.ArrayList<>();
      for (int i = 1; i < parts.length; i++) {
        String part = parts[i].strip();
        ArithOp op =
            ArithOp.ofSymbol(part.charAt(0))
                .orElseThrow(() -> new IllegalArgumentException("unknown operation " + part));
        operations.add(new Operation(op, Long.parseLong(part.substring(1))));
      }
      return new ArithProblem(id, start, operations);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Not an arith question: '" + question + "' (" + e.getMessage() + ")", e);
    }
  }

  /** One line {@code a op b = c} per operation, then {@code answer: N}, joined by {@code "\n"}. */
  public String referenceSolution() {
    StringJoiner lines = new StringJoiner("\n");
    long previous = start;
    List<Long> values = values();
    for (int i = 0; i < operations.size(); i++) {
      Operation operation = operations.get(i);
      long value = values.get(i);
      lines.add(stepText(previous, operation.op(), operation.operand(), value));
      previous = value;
    }
    lines.add("answer: " + answer());
    return lines.toString();
  }

  /** The result after each operation, in order; the last is the answer. */
  public List<Long> values() {
    return chain(start, operations);
  }

  /** The final result of the chain. */
  public long answer() {
    List<Long> values = values();
    return values.get(values.size() - 1);
  }

  /** This problem in the task-independent form the dataflow carries. */
  public Problem toProblem() {
    return new Problem(id, question(), referenceSolution(), Long.toString(answer()));
  }

  /** The canonical text of one step, shared by the reference solution and the checker's reasons. */
  static String stepText(long a, ArithOp op, long b, long c) {
    return a + " " + op.symbol() + " " + b + " = " + c;
  }

  private static List<Long> chain(long start, List<Operation> operations) {
    List<Long> values = new ArrayList<>(operations.size());
    long value = start;
    for (Operation operation : operations) {
      value = operation.op().apply(value, operation.operand());
      values.add(value);
    }
    return List.copyOf(values);
  }
}
