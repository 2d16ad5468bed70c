package dev.rlflow.core.config;

import java.util.Collection;
import java.util.Optional;

/**
 * The declared key an unknown key was most likely meant to be: the closest by edit distance over
 * the whole path or over the last segment (so {@code rollout.clip_ratio} finds {@code
 * algorithm.clip_ratio}), if it is close enough to be a plausible typo.
 */
final class KeySuggestion {
  private KeySuggestion() {}

  static Optional<String> closest(String unknown, Collection<String> known) {
    String best = null;
    int bestScore = Integer.MAX_VALUE;
    int bestFull = Integer.MAX_VALUE;
    for (String candidate : known) {
      int full = editDistance(unknown, candidate);
      int score = Math.min(full, editDistance(leaf(unknown), leaf(candidate)) + 1);
      // On a tie the closer whole path wins: rolout.temperature is rollout's, not eval's.
      if (score < bestScore || (score == bestScore && full < bestFull)) {
        bestScore = score;
        bestFull = full;
        best = candidate;
      }
    }
    int tolerance = Math.max(2, leaf(unknown).length() / 3);
    return bestScore <= tolerance ? Optional.ofNullable(best) : Optional.empty();
  }

  private static String leaf(String key) {
    return key.substring(key.lastIndexOf('.') + 1);
  }

  /** Levenshtein distance with one row of memory. */
  static int editDistance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + cost);
        diagonal = above;
      }
    }
    return row[b.length()];
  }
}
