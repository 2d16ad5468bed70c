package dev.rlflow.training.advantage;

import java.util.Arrays;

/**
 * The reasoning steps of one response as its process reward model scored them: the index of the
 * response token that ends each step and that step's reward (ALGORITHMS.md §3). A response scored
 * only by its outcome has no steps.
 *
 * @param ends response-token index ending each step, strictly increasing, each {@code >= 0}
 * @param rewards the reward of each step (a PRM score, optionally centred), finite
 */
public record Steps(int[] ends, double[] rewards) {

  private static final Steps NONE = new Steps(new int[0], new double[0]);

  public Steps {
    if (ends.length != rewards.length) {
      throw new IllegalArgumentException(
          "Invalid length "
              + rewards.length
              + " of rewards: must equal the number of step ends ("
              + ends.length
              + ")");
    }
    for (int j = 0; j < ends.length; j++) {
      if (ends[j] < 0 || (j > 0 && ends[j] <= ends[j - 1])) {
        throw new IllegalArgumentException(
            "Invalid value "
                + Arrays.toString(ends)
                + " for ends: must be >= 0 and strictly increasing");
      }
      if (!Double.isFinite(rewards[j])) {
        throw new IllegalArgumentException(
            "Invalid value " + rewards[j] + " for rewards[" + j + "]: must be finite");
      }
    }
    ends = ends.clone();
    rewards = rewards.clone();
  }

  /** No steps: a response scored by its outcome alone. */
  public static Steps none() {
    return NONE;
  }

  /** The step ends (a copy). */
  @Override
  public int[] ends() {
    return ends.clone();
  }

  /** The step rewards (a copy). */
  @Override
  public double[] rewards() {
    return rewards.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Steps s && Arrays.equals(ends, s.ends) && Arrays.equals(rewards, s.rewards);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ends) + Arrays.hashCode(rewards);
  }

  @Override
  public String toString() {
    return "Steps[ends=" + Arrays.toString(ends) + ", rewards=" + Arrays.toString(rewards) + "]";
  }

  public int count() {
    return ends.length;
  }

  public boolean isEmpty() {
    return ends.length == 0;
  }

  /**
   * Checks that every step ends inside a response of {@code tokens} tokens.
   *
   * @throws IllegalArgumentException if the last step ends at or after {@code tokens}
   */
  public void requireWithin(int tokens) {
    if (ends.length > 0 && ends[ends.length - 1] >= tokens) {
      throw new IllegalArgumentException(
          "Invalid value "
              + Arrays.toString(ends)
              + " for step ends: must be < the response length ("
              + tokens
              + ")");
    }
  }
}
