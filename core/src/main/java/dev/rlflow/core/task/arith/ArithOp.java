package dev.rlflow.core.task.arith;

import java.util.Optional;

/** An operation of the arithmetic task, written in texts by its ASCII symbol. */
public enum ArithOp {
  ADD('+'),
  SUB('-'),
  MUL('*');

  private final char symbol;

  ArithOp(char symbol) {
    this.symbol = symbol;
  }

  /** The ASCII symbol that stands for this operation in questions and solutions. */
  public char symbol() {
    return symbol;
  }

  /**
   * Returns {@code a op b}, or throws {@link ArithmeticException} when the result does not fit in a
   * long (a silently wrapped value would make a false step look true).
   */
  public long apply(long a, long b) {
    return switch (this) {
      case ADD -> Math.addExact(a, b);
      case SUB -> Math.subtractExact(a, b);
      case MUL -> Math.multiplyExact(a, b);
    };
  }

  /** The operation written as {@code symbol}, if any. */
  static Optional<ArithOp> ofSymbol(char symbol) {
    for (ArithOp op : values()) {
      if (op.symbol == symbol) {
        return Optional.of(op);
      }
    }
    return Optional.empty();
  }
}
