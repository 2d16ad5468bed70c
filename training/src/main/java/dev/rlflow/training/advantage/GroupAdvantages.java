package dev.rlflow.training.advantage;

import java.util.ArrayList;
import java.util.List;

/**
 * Critic-free advantages that compare the G responses sampled for one prompt (its group): the group
 * itself is the baseline.
 *
 * <p>GRPO's standard deviation is the population one (ddof 0) with {@link Whitening#EPS} added, for
 * the outcome as for the process variant, so that outcome GRPO is exactly process GRPO without
 * steps. DeepSeekMath writes {@code std(r)} without saying which; ALGORITHMS.md §3 decides ddof 0
 * and 1e-6 for the process variant, and one rule for both keeps that identity.
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
   * GRPO with process supervision (DeepSeekMath §4.1.3) and an outcome, normalised apart
   * (ALGORITHMS.md §3): every step reward of the group is normalised by the mean and standard
   * deviation of all step rewards of the group, every outcome by those of the group's outcomes, and
   * a token's advantage is the sum of the normalised rewards of the steps ending at or after it
   * plus its response's normalised outcome. Folding the outcome into the last step's reward instead
   * would whiten it with the step rewards: a correct outcome (1) dwarfs PRM scores centred near 0,
   * so every other step would get a negative z whatever the PRM says, and the outcome's credit
   * would shrink with each step a response adds.
   *
   * <p>Tokens after a response's last step get its outcome's part alone. A group without any step
   * is outcome GRPO ({@link #grpo}).
   *
   * @param steps each response's steps, at least 2 responses
   * @param outcomes each response's outcome reward, finite
   * @param lengths each response's token count, each step ending inside its response
   * @return per-token advantages of each response, in order
   * @throws IllegalArgumentException if the group is smaller than 2, the lengths disagree or a step
   *     ends outside its response
   */
  public static List<double[]> processGrpo(List<Steps> steps, double[] outcomes, int[] lengths) {
    requireGroup(steps.size());
    if (lengths.length != steps.size() || outcomes.length != steps.size()) {
      throw new IllegalArgumentException(
          "Invalid lengths "
              + lengths.length
              + " of lengths and "
              + outcomes.length
              + " of outcomes: must both equal the number of responses ("
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
    List<double[]> normalised = total == 0 ? rewards : Whitening.whiten(rewards);
    double[] outcome = Whitening.whiten(outcomes);
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
        a[t] = suffix + outcome[i];
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
