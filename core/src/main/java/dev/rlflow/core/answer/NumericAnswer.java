package dev.rlflow.core.answer;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the exact value of a simplified answer that is a single signed number: a decimal, a
 * fraction {@code a/b} or a {@code \frac{a}{b}}, followed by optional unit words. The grammar is
 * documented on {@link AnswerEquivalence}.
 */
final class NumericAnswer {
  /** The longest text read as a number; real numeric answers, units included, are far shorter. */
  static final int MAX_CHARS = 1000;

  /** Digits with optional thousands groups of exactly three, then an optional fraction part. */
  private static final String DECIMAL = "(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?|\\.\\d+";

  private static final String UNIT_WORD = "[A-Za-z]+\\.?(?:\\s*\\^\\s*\\{?\\d+\\}?)?";
  private static final Pattern UNIT_TAIL =
      Pattern.compile(
          "(.*?[0-9}])\\s+(?:" + UNIT_WORD + ")(?:(?:\\s*/\\s*|\\s+)(?:" + UNIT_WORD + "))*");
  private static final Pattern PLAIN =
      Pattern.compile("([+-]?)\\s*(" + DECIMAL + ")(?:\\s*/\\s*(" + DECIMAL + "))?");
  private static final Pattern FRAC =
      Pattern.compile(
          "([+-]?)\\s*\\\\frac\\s*(?:\\{\\s*([+-]?)\\s*("
              + DECIMAL
              + ")\\s*\\}|(\\d))\\s*(?:\\{\\s*([+-]?)\\s*("
              + DECIMAL
              + ")\\s*\\}|(\\d))");

  private NumericAnswer() {}

  /** Returns the value of {@code simplified}, or empty when it is not a single number. */
  static Optional<Rational> parse(String simplified) {
    String s = simplified.strip();
    if (s.length() > MAX_CHARS) {
      return Optional.empty();
    }
    Matcher unit = UNIT_TAIL.matcher(s);
    if (unit.matches()) {
      s = unit.group(1).strip();
    }
    Matcher plain = PLAIN.matcher(s);
    if (plain.matches()) {
      Rational value = decimal(plain.group(2));
      if (plain.group(3) != null) {
        Rational denominator = decimal(plain.group(3));
        if (denominator.numerator().signum() == 0) {
          return Optional.empty();
        }
        value = value.dividedBy(denominator);
      }
      return Optional.of(signed(plain.group(1), value));
    }
    Matcher frac = FRAC.matcher(s);
    if (frac.matches()) {
      Rational numerator =
          signed(frac.group(2), decimal(firstNonNull(frac.group(3), frac.group(4))));
      Rational denominator =
          signed(frac.group(5), decimal(firstNonNull(frac.group(6), frac.group(7))));
      if (denominator.numerator().signum() == 0) {
        return Optional.empty();
      }
      return Optional.of(signed(frac.group(1), numerator.dividedBy(denominator)));
    }
    return Optional.empty();
  }

  private static Rational decimal(String text) {
    return Rational.of(new BigDecimal(text.replace(",", "")));
  }

  private static Rational signed(String sign, Rational value) {
    return "-".equals(sign) ? value.negate() : value;
  }

  private static String firstNonNull(String first, String second) {
    return first != null ? first : second;
  }
}
