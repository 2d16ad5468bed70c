package dev.rlflow.reward.omega;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every rollout path of one question, as a trie of steps: each node counts the rollouts whose path
 * from the question (the prefix they continued, then their own steps) passes through it, and how
 * many of them were correct.
 *
 * <p>Sampling is autoregressive, so a rollout from an ancestor that happens to pass through a node
 * is a Monte Carlo sample from that node too; pooling them gives a prefix every rollout the search
 * already paid for. A rollout that continued a longer prefix counts at the shorter prefixes of its
 * path as well: a correct one proves that they can still reach the answer, which is what makes the
 * hard label of every step before a located first error positive. The price is a bias of the soft
 * value of such shorter prefixes towards the values of the longer prefixes probed below them.
 */
final class RolloutTrie {

  /** What the trie knows about one prefix. */
  record Counts(int through, int correct) {
    /** correct / through; 0 for a prefix no rollout passed. */
    double mc() {
      return through == 0 ? 0.0 : (double) correct / through;
    }
  }

  private static final class Node {
    final Map<String, Node> children = new HashMap<>();
    int through;
    int correct;
  }

  private final Node root = new Node();

  /** Counts one rollout at every non-empty prefix of {@code path}. */
  void add(List<String> path, boolean correct) {
    Node node = root;
    for (String step : path) {
      node = node.children.computeIfAbsent(step, s -> new Node());
      node.through++;
      if (correct) {
        node.correct++;
      }
    }
  }

  /** The counts of the prefix {@code path}; zero when no rollout passed it. */
  Counts at(List<String> path) {
    Node node = root;
    for (String step : path) {
      node = node.children.get(step);
      if (node == null) {
        return new Counts(0, 0);
      }
    }
    return new Counts(node.through, node.correct);
  }
}
