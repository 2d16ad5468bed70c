package dev.rlflow.core.config;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A constraint on one configuration value, with the wording used in error messages ({@code must be
 * >= 1}) and in the configuration reference.
 *
 * @param description the rule as it reads after "must": {@code >= 1}, {@code in [0, 1]}
 * @param test true when a value satisfies the rule
 */
public record Rule<T>(String description, Predicate<T> test) {

  /** No constraint beyond the value's type. */
  public static <T> Rule<T> any() {
    return new Rule<>("", value -> true);
  }

  public static Rule<Integer> atLeast(int min) {
    return new Rule<>("be >= " + min, value -> value >= min);
  }

  public static Rule<Long> atLeast(long min) {
    return new Rule<>("be >= " + min, value -> value >= min);
  }

  public static Rule<Double> atLeast(double min) {
    return new Rule<>("be >= " + format(min), value -> value >= min);
  }

  public static Rule<Integer> between(int min, int max) {
    return new Rule<>("be in [" + min + ", " + max + "]", value -> value >= min && value <= max);
  }

  public static Rule<Double> between(double min, double max) {
    return new Rule<>(
        "be in [" + format(min) + ", " + format(max) + "]", value -> value >= min && value <= max);
  }

  /** An open lower bound and a closed upper bound: {@code (min, max]}. */
  public static Rule<Double> aboveUpTo(double min, double max) {
    return new Rule<>(
        "be in (" + format(min) + ", " + format(max) + "]", value -> value > min && value <= max);
  }

  public static Rule<Double> above(double min) {
    return new Rule<>("be > " + format(min), value -> value > min);
  }

  public static Rule<String> nonEmpty() {
    return new Rule<>("not be empty", value -> !value.isEmpty());
  }

  /** A whole-string regular expression, described in words for the error message. */
  public static Rule<String> matches(String regex, String description) {
    Pattern pattern = Pattern.compile(regex);
    return new Rule<>(description, value -> pattern.matcher(value).matches());
  }

  public static Rule<java.time.Duration> positiveDuration() {
    return new Rule<>("be a positive duration", value -> !value.isNegative() && !value.isZero());
  }

  public static Rule<java.time.Duration> nonNegativeDuration() {
    return new Rule<>("be a duration >= 0", value -> !value.isNegative());
  }

  /** A rule listing the allowed values, for string options whose values are open-ended later. */
  public static Rule<String> oneOf(List<String> allowed) {
    return new Rule<>("be one of " + String.join(", ", allowed), value -> allowed.contains(value));
  }

  boolean isAny() {
    return description.isEmpty();
  }

  private static String format(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%s", value);
  }
}
