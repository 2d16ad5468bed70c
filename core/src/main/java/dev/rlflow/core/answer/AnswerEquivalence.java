package dev.rlflow.core.answer;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether two final answers are the same: numerically when both are numbers, else by their
 * normalized text.
 *
 * <p>The rules, in the order they apply:
 *
 * <ol>
 *   <li>Notation that never changes the value is removed on both sides: {@code $}, {@code \$},
 *       {@code \( \)}, {@code \[ \]}, {@code \left}/{@code \right}, {@code \displaystyle}, the
 *       spacing commands {@code \! \, \; \: \quad}, a {@code \boxed{}} wrapper, outer {@code {}}
 *       braces, a leading {@code x =}, a trailing period, degree signs, and the percent sign.
 *       {@code \text{...}} (and {@code \mbox}, {@code \mathrm}, {@code \textbf}) keeps only its
 *       content. {@code \dfrac} and {@code \tfrac} become {@code \frac}; the unicode minus {@code
 *       −} becomes {@code -}.
 *   <li>An answer is a number when what is left is an optional sign followed by a decimal ({@code
 *       12}, {@code 2.50}, {@code .5}, {@code 1,000}, {@code 12,345.6}), a fraction of two decimals
 *       ({@code 3/4}) or a {@code \frac} of two signed decimals ({@code \frac{-3}{4}}, {@code
 *       \frac34}), optionally followed by whitespace and unit words ({@code 5 cm}, {@code 18
 *       dollars}, {@code 3 m/s}). Two numbers are equal when their exact {@link Rational} values
 *       are.
 *   <li>Two answers that are not numbers are equal when their normalized texts are, after all
 *       whitespace is removed and {@code \sqrt3} is written {@code \sqrt{3}} and {@code \frac34}
 *       {@code \frac{3}{4}}. The comparison is case-sensitive: {@code x} and {@code X} may name
 *       different things.
 *   <li>A number never equals a text that is not a number, and a blank answer equals nothing, not
 *       even another blank one, so a missing answer can never earn a reward.
 * </ol>
 *
 * <p>Decisions a caller should know:
 *
 * <ul>
 *   <li>A comma is a thousands separator only between digit groups of exactly three digits: {@code
 *       1,000} is 1000, while {@code 1,2} and {@code (1,2)} are not numbers (they are tuples or
 *       intervals, compared as text). MATH's {@code 10{,}000} is 10000.
 *   <li>{@code 50%} equals {@code 50}, not {@code 0.5}: GSM8K and MATH references write a
 *       percentage as the number before its sign, so the sign is read as a unit.
 *   <li>Units are ignored: {@code 5 cm} equals {@code 5 m}. A unit must be separated from the
 *       number by whitespace (or come from {@code \text{}}), so that {@code 3x} or {@code 2e} is
 *       not read as 3 or 2; {@code 5cm} is therefore text and does not equal {@code 5}.
 *   <li>Scientific notation is not read: {@code 1e3} is text, not 1000, since {@code e} in a math
 *       answer is as likely Euler's number, and references write {@code 10^3} instead.
 *   <li>A text longer than 1000 characters is never a number; this also keeps degenerate
 *       completions from exhausting the regular-expression engine's stack.
 *   <li>No arithmetic is done: {@code 0.1+0.2} is text, and so is a mixed number such as {@code
 *       1\frac{1}{2}}, whose reading (product or sum) is ambiguous.
 * </ul>
 */
public final class AnswerEquivalence {
  private static final Pattern TEXT_COMMAND =
      Pattern.compile("\\\\(?:text|textbf|textit|textrm|textnormal|mbox|mathrm)(?![A-Za-z])");
  private static final Pattern BOX_COMMAND = Pattern.compile("\\\\(?:boxed|fbox)(?![A-Za-z])");
  private static final Pattern LEFT_RIGHT = Pattern.compile("\\\\(?:left|right)(?![A-Za-z])");
  private static final Pattern DISPLAY_FRAC = Pattern.compile("\\\\[dt]frac(?![A-Za-z])");
  private static final Pattern DROPPED_COMMANDS =
      Pattern.compile("\\\\(?:displaystyle|degree|circ)(?![A-Za-z])|\\\\!|(?<=\\d)\\\\,(?=\\d)");
  private static final Pattern SPACING_COMMANDS =
      Pattern.compile("\\\\(?:quad|qquad)(?![A-Za-z])|\\\\[,;: ]|~");
  private static final Pattern DEGREES =
      Pattern.compile("\\^\\s*\\{\\s*\\\\circ\\s*\\}|\\^\\s*\\\\circ|°");
  private static final Pattern PERCENT = Pattern.compile("\\\\?%");
  private static final Pattern LEADING_ASSIGNMENT =
      Pattern.compile("^\\\\?[A-Za-z]+(?:_\\{?[A-Za-z0-9]+\\}?)?\\s*=(?!=)\\s*");
  private static final Pattern SQRT_SINGLE = Pattern.compile("\\\\sqrt([A-Za-z0-9])");
  private static final Pattern FRAC_SINGLE = Pattern.compile("\\\\frac([0-9])([0-9])");

  private AnswerEquivalence() {}

  /** Tells whether {@code answer} and {@code reference} denote the same final answer. */
  public static boolean equivalent(String answer, String reference) {
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(reference, "reference");
    String left = simplify(answer);
    String right = simplify(reference);
    if (left.isEmpty() || right.isEmpty()) {
      return false;
    }
    Optional<Rational> leftNumber = NumericAnswer.parse(left);
    Optional<Rational> rightNumber = NumericAnswer.parse(right);
    if (leftNumber.isPresent() || rightNumber.isPresent()) {
      return leftNumber.equals(rightNumber);
    }
    return textKey(left).equals(textKey(right));
  }

  /**
   * A key that is the same for answers {@link #equivalent} calls equal, for counting votes: the
   * exact value of a number, else the normalised text.
   */
  public static String key(String answer) {
    String s = simplify(Objects.requireNonNull(answer, "answer"));
    return NumericAnswer.parse(s)
        .map(r -> "number " + r.numerator() + "/" + r.denominator())
        .orElseGet(() -> "text " + textKey(s));
  }

  /** Returns the exact value of {@code answer} when it is a number by the rules above. */
  static Optional<Rational> numericValue(String answer) {
    return NumericAnswer.parse(simplify(answer));
  }

  /** Removes the notation that never changes an answer's value; whitespace inside is kept. */
  static String simplify(String answer) {
    String s = answer.replace('\u2212', '-').replace('\u00a0', ' ');
    s = s.replace("\\(", "").replace("\\)", "").replace("\\[", "").replace("\\]", "");
    s = s.replace("\\$", "").replace("$", "");
    s = LEFT_RIGHT.matcher(s).replaceAll("");
    s = DISPLAY_FRAC.matcher(s).replaceAll("\\\\frac");
    s = DEGREES.matcher(s).replaceAll("");
    // A thin space between digits is a thousands separator (1\,000); elsewhere it is a space.
    s = DROPPED_COMMANDS.matcher(s).replaceAll("");
    s = SPACING_COMMANDS.matcher(s).replaceAll(" ");
    s = s.replace("{,}", ",");
    s = unwrap(s, BOX_COMMAND, "", "");
    // The leading space keeps a unit apart from its number: 5\text{cm} reads as "5 cm".
    s = unwrap(s, TEXT_COMMAND, " ", " ");
    s = PERCENT.matcher(s).replaceAll("");
    s = s.strip();
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1).strip();
    }
    s = LEADING_ASSIGNMENT.matcher(s).replaceFirst("");
    return withoutOuterBraces(s);
  }

  /** Returns the comparison key of an answer that is not a number. */
  private static String textKey(String simplified) {
    String key = simplified.replaceAll("\\s+", "");
    key = SQRT_SINGLE.matcher(key).replaceAll("\\\\sqrt{$1}");
    return FRAC_SINGLE.matcher(key).replaceAll("\\\\frac{$1}{$2}");
  }

  /**
   * Replaces every {@code \command{content}} by {@code before + content + after}, nested ones
   * included (as in {@code \text{\textbf{5} cm}}); a command without a closed brace group is left
   * as it is. One pass without recursion, so no nesting depth can overflow the stack.
   */
  private static String unwrap(String s, Pattern command, String before, String after) {
    BraceGroups groups = new BraceGroups(s);
    int[] groupOfCommandAt = new int[s.length()];
    Arrays.fill(groupOfCommandAt, -1);
    boolean[] closesWrapped = new boolean[s.length()];
    boolean found = false;
    Matcher matcher = command.matcher(s);
    while (matcher.find()) {
      int open = groups.groupAt(matcher.end());
      if (open >= 0) {
        groupOfCommandAt[matcher.start()] = open;
        closesWrapped[groups.close(open)] = true;
        found = true;
      }
    }
    if (!found) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      if (groupOfCommandAt[i] >= 0) {
        out.append(before);
        i = groupOfCommandAt[i];
      } else if (closesWrapped[i]) {
        out.append(after);
      } else {
        out.append(s.charAt(i));
      }
    }
    return out.toString();
  }

  /** Removes braces around the whole of {@code s}, however deeply nested: {@code {{5}}} is 5. */
  private static String withoutOuterBraces(String s) {
    BraceGroups groups = new BraceGroups(s);
    int start = 0;
    int end = s.length();
    while (end - start >= 2 && s.charAt(start) == '{' && groups.close(start) == end - 1) {
      start++;
      end--;
      while (start < end && Character.isWhitespace(s.charAt(start))) {
        start++;
      }
      while (end > start && Character.isWhitespace(s.charAt(end - 1))) {
        end--;
      }
    }
    return s.substring(start, end);
  }
}
