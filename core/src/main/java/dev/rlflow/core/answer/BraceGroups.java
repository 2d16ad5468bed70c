package dev.rlflow.core.answer;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The balanced {@code {...}} groups of a LaTeX text, matched in one pass so that finding the group
 * after each of many commands stays linear, even in a degenerate completion that repeats an
 * unclosed {@code \boxed{} thousands of times. Escaped braces {@code \{ \}} open and close nothing.
 */
final class BraceGroups {
  private final String text;
  private final int[] closeOf;

  BraceGroups(String text) {
    this.text = text;
    this.closeOf = new int[text.length()];
    Arrays.fill(closeOf, -1);
    Deque<Integer> open = new ArrayDeque<>();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '{') {
        open.push(i);
      } else if (c == '}' && !open.isEmpty()) {
        closeOf[open.pop()] = i;
      }
    }
  }

  /**
   * Returns the index of the opening brace of a closed group that starts at the first non-space
   * character at or after {@code from}, or -1 when none starts there.
   */
  int groupAt(int from) {
    int open = from;
    while (open < text.length() && Character.isWhitespace(text.charAt(open))) {
      open++;
    }
    return open < text.length() && closeOf[open] >= 0 ? open : -1;
  }

  /** Returns the index of the brace closing the group opened at {@code open}, or -1. */
  int close(int open) {
    return closeOf[open];
  }
}
