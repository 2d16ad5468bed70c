package dev.rlflow.core.task.arith;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A deterministic source of arithmetic problems of one split: the same spec, split and seed give
 * the same sequence of problems on every JVM.
 *
 * <p>The stream, which is part of the contract (changing it changes every generated data set): one
 * {@link SplittableRandom} seeded with {@code seed}; per candidate problem, in order, the number of
 * steps {@code nextInt(minSteps, maxSteps + 1)}, the start {@code nextInt(1, startMax + 1)}, then
 * per step one {@code nextLong(n)} that picks uniformly among the {@code n} (operation, operand)
 * pairs of {@code ops × 1..operandMax} whose result keeps {@code |value| <= maxValue}, pairs
 * ordered by {@link ArithOp} order then operand. This is the distribution of redrawing a uniform
 * operation and operand until the bound holds, with exactly one draw per step. A candidate whose
 * question belongs to the other split ({@link ArithSplit#ofQuestion}) is dropped and the next
 * candidate is drawn from the same stream, so the splits are disjoint whatever the seeds.
 *
 * <p>Problems are not unique within a split: a small spec repeats questions. Ids are {@code
 * arith-<split>-<seed>-<index>} with the split in lower case and the 0-based index of the problem
 * in this generator's output. Not thread-safe.
 */
public final class ArithGenerator {

  /**
   * Candidates tried for one problem before giving up: a spec whose problem space has (almost) no
   * question in the requested split would otherwise loop forever. At the default 10 % test share
   * the chance of hitting this limit is about 0.9^100000.
   */
  static final int MAX_ATTEMPTS = 100_000;

  private final ArithSpec spec;
  private final ArithSplit split;
  private final long seed;
  private final SplittableRandom random;
  private final List<ArithOp> ops;
  private long index;

  public ArithGenerator(ArithSpec spec, ArithSplit split, long seed) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.split = Objects.requireNonNull(split, "split");
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.ops = Arrays.stream(ArithOp.values()).filter(spec.ops()::contains).toList();
  }

  /**
   * The next problem of this generator's split.
   *
   * @throws IllegalStateException when {@value #MAX_ATTEMPTS} candidates in a row all belong to the
   *     other split, a sign that the spec's problem space is too small to split
   */
  public ArithProblem next() {
    String id = "arith-" + split.name().toLowerCase(Locale.ROOT) + "-" + seed + "-" + index;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      ArithProblem candidate = candidate(id);
      if (ArithSplit.ofQuestion(candidate.question()) == split) {
        index++;
        return candidate;
      }
    }
    throw new IllegalStateException(
        "No "
            + split
            + " problem in "
            + MAX_ATTEMPTS
            + " candidates for "
            + spec
            + ": the problem space is too small to split");
  }

  /** The next {@code count} problems, as {@link #next()} would return them one by one. */
  public List<ArithProblem> generate(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("Invalid value " + count + " for count: must be >= 0");
    }
    List<ArithProblem> problems = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      problems.add(next());
    }
    return List.copyOf(problems);
  }

  public ArithSpec spec() {
    return spec;
  }

  public ArithSplit split() {
    return split;
  }

  public long seed() {
    return seed;
  }

  private ArithProblem candidate(String id) {
    int steps = random.nextInt(spec.minSteps(), spec.maxSteps() + 1);
    long value = random.nextInt(1, spec.startMax() + 1);
    long start = value;
    List<ArithProblem.Operation> operations = new ArrayList<>(steps);
    for (int i = 0; i < steps; i++) {
      ArithProblem.Operation operation = drawOperation(value);
      operations.add(operation);
      value = operation.op().apply(value, operation.operand());
    }
    return new ArithProblem(id, start, operations);
  }

  /**
   * Draws uniformly among the (operation, operand) pairs that keep {@code |result| <= maxValue}.
   */
  private ArithProblem.Operation drawOperation(long value) {
    long total = 0;
    for (ArithOp op : ops) {
      total += validOperands(op, value);
    }
    // total >= 1: ArithSpec's validation guarantees some pair keeps the bound from every value
    // the walk can reach.
    long pick = random.nextLong(total);
    for (ArithOp op : ops) {
      long count = validOperands(op, value);
      if (pick < count) {
        return new ArithProblem.Operation(op, pick + 1);
      }
      pick -= count;
    }
    throw new AssertionError("pick " + pick + " beyond " + total + " valid pairs");
  }

  /**
   * How many operands {@code b} in {@code 1..operandMax} keep {@code |value op b| <= maxValue}; the
   * valid ones are exactly {@code 1..count}, since each result moves monotonically away from {@code
   * value} as {@code b} grows.
   */
  private long validOperands(ArithOp op, long value) {
    long maxValue = spec.maxValue();
    long limit =
        switch (op) {
          case ADD -> maxValue - value;
          case SUB -> maxValue + value;
          case MUL -> value == 0 ? Long.MAX_VALUE : maxValue / Math.abs(value);
        };
    return Math.max(0, Math.min(spec.operandMax(), limit));
  }
}
