package dev.rlflow.core.task.dataset;

import dev.rlflow.core.answer.Rational;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GSM8K calculator annotation such as {@code <<48/2=24>>}: the expression a worker computed with
 * a calculator and the value it gave, written inline in the solution text.
 *
 * @param written the annotation as it stands in the text, brackets included
 */
record CalculatorAnnotation(String written) {
  private static final Pattern ANNOTATION = Pattern.compile("<<([^<>]*)>>");
  private static final Pattern STATED_VALUE = Pattern.compile("-?(?:\\d+(?:\\.(\\d*))?|\\.(\\d+))");

  /** Returns {@code text} without its annotations; the visible text around them is kept. */
  static String strip(String text) {
    return ANNOTATION.matcher(text).replaceAll("");
  }

  /** Returns the annotations of {@code text} in order. */
  static List<CalculatorAnnotation> findAll(String text) {
    List<CalculatorAnnotation> found = new ArrayList<>();
    Matcher matcher = ANNOTATION.matcher(text);
    while (matcher.find()) {
      found.add(new CalculatorAnnotation(matcher.group()));
    }
    return found;
  }

  /**
   * Returns why the annotation is wrong, or empty when its expression gives its stated value.
   *
   * <p>The expression is evaluated exactly. A stated value with k decimals may be the exact value
   * rounded or truncated to k places (GSM8K writes {@code <<2/3=0.67>>}), so it is accepted when it
   * lies within one unit of its last place; a whole-number stated value must be exact, so {@code
   * <<7/2=3>>} is reported.
   */
  Optional<String> mismatch() {
    String body = written.substring(2, written.length() - 2);
    int equals = body.lastIndexOf('=');
    if (equals < 0) {
      return Optional.of("no '=' between expression and value");
    }
    String expression = body.substring(0, equals).strip();
    String stated = body.substring(equals + 1).strip();
    Matcher statedMatcher = STATED_VALUE.matcher(stated);
    if (!statedMatcher.matches()) {
      return Optional.of("stated value '" + stated + "' is not a number");
    }
    Rational value;
    try {
      value = ArithmeticExpression.evaluate(expression);
    } catch (IllegalArgumentException e) {
      return Optional.of("cannot evaluate '" + expression + "': " + e.getMessage());
    } catch (ArithmeticException e) {
      return Optional.of("cannot evaluate '" + expression + "': division by zero");
    }
    Rational statedValue = Rational.of(new BigDecimal(stated));
    String decimals =
        statedMatcher.group(1) != null ? statedMatcher.group(1) : statedMatcher.group(2);
    int places = decimals == null ? 0 : decimals.length();
    boolean consistent =
        value.equals(statedValue)
            || (places > 0
                && value
                        .minus(statedValue)
                        .abs()
                        .compareTo(Rational.of(BigDecimal.ONE.movePointLeft(places)))
                    < 0);
    return consistent
        ? Optional.empty()
        : Optional.of(expression + " evaluates to " + value + ", stated " + stated);
  }
}
