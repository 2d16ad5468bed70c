package dev.rlflow.core.task.dataset;

import dev.rlflow.core.answer.Rational;
import java.math.BigDecimal;

/**
 * Evaluates an arithmetic expression exactly: decimals, unary signs, {@code + - * /} with the usual
 * precedence, and parentheses. This is the language of GSM8K calculator annotations.
 *
 * <p>Grammar: {@code expr := term (('+'|'-') term)*}, {@code term := factor (('*'|'/') factor)*},
 * {@code factor := ('+'|'-') factor | '(' expr ')' | number}.
 */
final class ArithmeticExpression {
  /** Deeper nesting of parentheses and signs is refused rather than risking the stack. */
  static final int MAX_DEPTH = 100;

  private final String text;
  private int position;
  private int depth;

  private ArithmeticExpression(String text) {
    this.text = text;
  }

  /**
   * Returns the exact value of {@code text}.
   *
   * @throws IllegalArgumentException naming the position when {@code text} is not an expression
   * @throws ArithmeticException on division by zero
   */
  static Rational evaluate(String text) {
    ArithmeticExpression parser = new ArithmeticExpression(text);
    Rational value = parser.expression();
    parser.skipSpaces();
    if (parser.position < text.length()) {
      throw parser.unexpected();
    }
    return value;
  }

  private Rational expression() {
    Rational value = term();
    while (true) {
      if (accept('+')) {
        value = value.plus(term());
      } else if (accept('-')) {
        value = value.minus(term());
      } else {
        return value;
      }
    }
  }

  private Rational term() {
    Rational value = factor();
    while (true) {
      if (accept('*')) {
        value = value.times(factor());
      } else if (accept('/')) {
        value = value.dividedBy(factor());
      } else {
        return value;
      }
    }
  }

  private Rational factor() {
    if (++depth > MAX_DEPTH) {
      throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
    }
    try {
      if (accept('-')) {
        return factor().negate();
      }
      if (accept('+')) {
        return factor();
      }
      if (accept('(')) {
        Rational value = expression();
        if (!accept(')')) {
          throw unexpected();
        }
        return value;
      }
      return number();
    } finally {
      depth--;
    }
  }

  private Rational number() {
    skipSpaces();
    int start = position;
    while (position < text.length()
        && (Character.isDigit(text.charAt(position)) || text.charAt(position) == '.')) {
      position++;
    }
    String digits = text.substring(start, position);
    if (digits.isEmpty() || digits.equals(".") || digits.indexOf('.') != digits.lastIndexOf('.')) {
      position = start;
      throw unexpected();
    }
    return Rational.of(new BigDecimal(digits));
  }

  private boolean accept(char symbol) {
    skipSpaces();
    if (position < text.length() && text.charAt(position) == symbol) {
      position++;
      return true;
    }
    return false;
  }

  private void skipSpaces() {
    while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
      position++;
    }
  }

  private IllegalArgumentException unexpected() {
    return new IllegalArgumentException(
        position < text.length()
            ? "unexpected '" + text.charAt(position) + "' at position " + (position + 1)
            : "unexpected end");
  }
}
