package dev.rlflow.core.answer;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the final answer in a solution or completion text: the last {@code answer: X} line, else
 * the last GSM8K {@code #### X} line, else the content of the last {@code \boxed{X}} or {@code
 * \fbox{X}}.
 *
 * <p>The explicit markers win over {@code \boxed} by kind, not by position, because a MATH-style
 * solution may box intermediate results while the {@code answer:} line is the convention every
 * rlflow task uses for its final answer (the dataset readers end each reference solution with one).
 * An {@code answer:} line must start the line ({@code Final answer:} is accepted too); a sentence
 * such as {@code The answer: 5} in the middle of a line is not a marker. Markers with nothing after
 * them are skipped, so the result is never blank.
 */
public final class AnswerExtractor {
  private static final Pattern ANSWER_LINE =
      Pattern.compile("(?im)^[ \\t]*(?:final[ \\t]+)?answer[ \\t]*:(.*)$");
  private static final Pattern HASH_LINE = Pattern.compile("(?m)^[ \\t]*####(.*)$");
  private static final Pattern BOX_COMMAND = Pattern.compile("\\\\(?:boxed|fbox)(?![A-Za-z])");

  private AnswerExtractor() {}

  /**
   * Returns the final answer of {@code text}, trimmed, or empty when it has no answer marker.
   *
   * <p>An {@code answer:} line whose content holds a {@code \boxed{X}} yields {@code X}, so {@code
   * answer: $\boxed{12}$} gives {@code 12}.
   */
  public static Optional<String> extract(String text) {
    Objects.requireNonNull(text, "text");
    Optional<String> answerLine = lastNonBlank(ANSWER_LINE.matcher(text));
    if (answerLine.isPresent()) {
      return lastBoxed(answerLine.get()).or(() -> answerLine);
    }
    Optional<String> hashLine = lastNonBlank(HASH_LINE.matcher(text));
    if (hashLine.isPresent()) {
      return hashLine;
    }
    return lastBoxed(text);
  }

  /**
   * Returns the trimmed content of the last well-formed {@code \boxed{...}} or {@code \fbox{...}}
   * in {@code text}, or empty when there is none.
   *
   * <p>Braces are balanced, so {@code \boxed{\frac{1}{2}}} gives {@code \frac{1}{2}}; escaped
   * braces {@code \{ \}} do not count. A box that is never closed (a completion cut off at its
   * length limit) is skipped and the box before it is used; empty boxes are skipped too.
   */
  public static Optional<String> lastBoxed(String text) {
    Objects.requireNonNull(text, "text");
    Optional<String> last = Optional.empty();
    BraceGroups groups = new BraceGroups(text);
    Matcher command = BOX_COMMAND.matcher(text);
    while (command.find()) {
      int open = groups.groupAt(command.end());
      if (open < 0) {
        continue;
      }
      String content = text.substring(open + 1, groups.close(open)).strip();
      if (!content.isEmpty()) {
        last = Optional.of(content);
      }
    }
    return last;
  }

  /** Tells whether {@code line} is an {@code answer:} or {@code ####} marker line. */
  static boolean isAnswerLine(String line) {
    String stripped = line.strip();
    return ANSWER_LINE.matcher(stripped).matches() || HASH_LINE.matcher(stripped).matches();
  }

  private static Optional<String> lastNonBlank(Matcher marker) {
    String last = null;
    while (marker.find()) {
      String content = marker.group(1).strip();
      if (!content.isEmpty()) {
        last = content;
      }
    }
    return Optional.ofNullable(last);
  }
}
