package dev.rlflow.training.advantage;

import java.util.ArrayList;
import java.util.List;

/**
 * Critic-free advantages that compare the G responses sampled for one prompt (its group): the group
 * itself is the baseline.
 *
 * <p>GRPO's standard deviation is the population one (ddof 0) with {@link Whitening#EPS} added, for
 * the outcome as for the process variant, so that outcome GRPO is exactly process GRPO with one
 * step ending on the last token. DeepSeekMath writes {@code std(r)} without saying which;
 * ALGORITHMS.md §3 decides ddof 0 and 1e-6 for the process variant, and one rule for both keeps
 * that identity.
 */
public final class GroupAdvantages {

  private GroupAdvantages() {}

  /**
   * GRPO with outcome supervision (Shao et al. 2024, "DeepSeekMath", arXiv 2402.03300, §4.1.2):
   * {@code A_i = (R_i - mean(R)) / (std(R) + EPS)}, the advantage of every token of response i.
   *
   * @param outcomes R_i of each response of the group, at least 2, finite
   * @return one advantage per response
   */
  public static double[] grpo(double[] outcomes) {
    requireGroup(outcomes.length);
    return Whitening.whiten(outcomes);
  }

  /**
   * GRPO with process supervision (DeepSeekMath §4.1.3): every step reward of the group is
   * normalised by the mean and standard deviation of all step rewards of the group, and a token's
   * advantage is the sum of the normalised rewards of the steps ending at or after it. Tokens after
   * a response's last step get 0; the outcome reward takes no part (the PRM's last step scores the
   * end).
   *
   * @param steps each response's steps, at least 2 responses, at least one step in all
   * @param lengths each response's token count, each step ending inside its response
   * @return per-token advantages of each response, in order
   * @throws IllegalArgumentException if the group is smaller than 2, has no step, or a step ends
   *     outside its response
   */
  public static List<double[]> processGrpo(List<Steps> steps, int[] lengths) {
    requireGroup(steps.size());
    if (lengths.length != steps.size()) {
      throw new IllegalArgumentException(
          "Invalid length "
              + lengths.length
              + " of lengths: must equal the number of responses ("
              + steps.size()
              + ")");
    }
    List<double[]> rewards = new ArrayList<>(steps.size());
    int total = 0;
    for (int i = 0; i < steps.size(); i++) {
      if (lengths[i] < 1) {
        throw new IllegalArgumentException(
            "Invalid value " + lengths[i] + " for lengths[" + i + "]: must be >= 1");
      }
      steps.get(i).requireWithin(lengths[i]);
      rewards.add(steps.get(i).rewards());
      total += steps.get(i).count();
    }
    if (total == 0) {
      throw new IllegalArgumentException(
          "Process GRPO needs at least one step reward in the group, found none");
    }
    List<double[]> normalised = Whitening.whiten(rewards);
    List<double[]> advantages = new ArrayList<>(steps.size());
    for (int i = 0; i < steps.size(); i++) {
      int[] ends = steps.get(i).ends();
      double[] z = normalised.get(i);
      double[] a = new double[lengths[i]];
      double suffix = 0; // sum of normalised rewards of the steps ending at or after t
      int j = ends.length - 1;
      for (int t = lengths[i] - 1; t >= 0; t--) {
        while (j >= 0 && ends[j] >= t) {
          suffix += z[j--];
        }
        a[t] = suffix;
      }
      advantages.add(a);
    }
    return advantages;
  }

  /**
   * REINFORCE leave-one-out (Kool et al. 2019, "Buy 4 REINFORCE Samples, Get a Baseline for Free!";
   * Ahmadian et al. 2024, arXiv 2402.14740): {@code A_i = R_i - mean_{j != i} R_j}, an unbiased
   * baseline because it does not depend on response i.
   *
   * @param outcomes R_i of each response of the group, at least 2, finite
   * @return one advantage per response
   */
  public static double[] rloo(double[] outcomes) {
    requireGroup(outcomes.length);
    double sum = 0;
    for (int i = 0; i < outcomes.length; i++) {
      if (!Double.isFinite(outcomes[i])) {
        throw new IllegalArgumentException(
            "Invalid value " + outcomes[i] + " for outcomes[" + i + "]: must be finite");
      }
      sum += outcomes[i];
    }
    int others = outcomes.length - 1;
    double[] advantages = new double[outcomes.length];
    for (int i = 0; i < outcomes.length; i++) {
      advantages[i] = outcomes[i] - (sum - outcomes[i]) / others;
    }
    return advantages;
  }

  private static void requireGroup(int size) {
    if (size < 2) {
      throw new IllegalArgumentException(
          "Invalid group size " + size + ": must be >= 2 (the baseline compares the group)");
    }
  }
}
