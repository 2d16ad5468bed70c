package dev.rlflow.reward.omega;

import java.util.List;

/**
 * A state of the OmegaPRM tree: a solution prefix that rollouts were started from (the root or a
 * probed prefix), with its Monte Carlo value and its visit count N.
 */
final class TreeState {
  private final List<String> steps;
  private int rollouts;
  private int correct;
  private int visits;

  TreeState(List<String> steps) {
    this.steps = List.copyOf(steps);
  }

  List<String> steps() {
    return steps;
  }

  /**
   * Adds the rollouts of one request from this state. A prefix probed twice pools both estimates.
   */
  void record(RolloutBatch batch) {
    rollouts += batch.rollouts().size();
    correct += batch.correct();
  }

  /** MC(s) = correct / rollouts started here. */
  double mc() {
    return (double) correct / rollouts;
  }

  int visits() {
    return visits;
  }

  /** N(s) += 1: a rollout of this state was selected for a binary search. */
  void visit() {
    visits++;
  }
}
