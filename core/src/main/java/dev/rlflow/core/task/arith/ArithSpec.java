package dev.rlflow.core.task.arith;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The difficulty knobs of the arithmetic task; every spec that passes validation lets the generator
 * finish every problem it starts.
 *
 * <p>Why generation always terminates: the start value lies in {@code 1..startMax <= maxValue}, and
 * from any value {@code v} with {@code |v| <= maxValue} some allowed operation keeps the bound:
 * {@code v * 1} when MUL is allowed, {@code v + 1} or {@code v - 1} when both ADD and SUB are. Only
 * a walk with ADD alone or SUB alone is one-way and can get stuck at the bound, so for those the
 * bound must not be reachable before the last step (see {@code maxValue} below).
 *
 * @param minSteps fewest operations in a problem, {@code >= 1}
 * @param maxSteps most operations in a problem, {@code minSteps..12}; the count is drawn uniformly
 *     from {@code minSteps..maxSteps}
 * @param startMax the start value is drawn uniformly from {@code 1..startMax}, {@code >= 1}
 * @param operandMax operands are drawn from {@code 1..operandMax}, {@code >= 1}
 * @param maxValue every intermediate result {@code v} satisfies {@code |v| <= maxValue}; {@code >=
 *     startMax}; with ADD alone it must exceed {@code startMax + (maxSteps - 1) * operandMax}, with
 *     SUB alone {@code (maxSteps - 1) * operandMax - 1}
 * @param ops the allowed operations, not empty; iterated in {@link ArithOp} order whatever set is
 *     passed, so that generation does not depend on a set's iteration order
 */
public record ArithSpec(
    int minSteps, int maxSteps, int startMax, int operandMax, int maxValue, Set<ArithOp> ops) {

  /** The most operations a problem may have, to keep texts short for a small model's context. */
  public static final int MAX_STEPS_LIMIT = 12;

  public ArithSpec {
    requireAtLeast("minSteps", minSteps, 1);
    if (maxSteps < minSteps) {
      throw invalid("maxSteps", maxSteps, "must be >= minSteps (" + minSteps + ")");
    }
    if (maxSteps > MAX_STEPS_LIMIT) {
      throw invalid("maxSteps", maxSteps, "must be <= " + MAX_STEPS_LIMIT);
    }
    requireAtLeast("startMax", startMax, 1);
    requireAtLeast("operandMax", operandMax, 1);
    if (maxValue < startMax) {
      throw invalid("maxValue", maxValue, "must be >= startMax (" + startMax + ")");
    }
    if (ops == null || ops.isEmpty() || ops.stream().anyMatch(Objects::isNull)) {
      throw invalid("ops", ops, "must name at least one operation and no null");
    }
    ops = Collections.unmodifiableSet(EnumSet.copyOf(ops));
    // Widened to long: (maxSteps - 1) * operandMax can exceed int.
    long reach = (long) (maxSteps - 1) * operandMax;
    if (ops.equals(EnumSet.of(ArithOp.ADD)) && startMax + reach >= maxValue) {
      throw invalid(
          "maxValue",
          maxValue,
          "must be > startMax + (maxSteps - 1) * operandMax ("
              + (startMax + reach)
              + ") when ops is [ADD] only, or the one-way walk can reach the bound before its last"
              + " step");
    }
    if (ops.equals(EnumSet.of(ArithOp.SUB)) && reach - 1 >= maxValue) {
      throw invalid(
          "maxValue",
          maxValue,
          "must be > (maxSteps - 1) * operandMax - 1 ("
              + (reach - 1)
              + ") when ops is [SUB] only, or the one-way walk can reach the bound before its last"
              + " step");
    }
  }

  /** Two to five operations on a start in 1..20 with operands in 1..9, values within ±999. */
  public static ArithSpec defaults() {
    return new ArithSpec(2, 5, 20, 9, 999, EnumSet.allOf(ArithOp.class));
  }

  private static void requireAtLeast(String field, int value, int min) {
    if (value < min) {
      throw invalid(field, value, "must be >= " + min);
    }
  }

  private static IllegalArgumentException invalid(String field, Object value, String rule) {
    return new IllegalArgumentException("Invalid value " + value + " for " + field + ": " + rule);
  }
}
