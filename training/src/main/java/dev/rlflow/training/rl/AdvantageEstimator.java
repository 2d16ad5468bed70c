package dev.rlflow.training.rl;

import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.AlgorithmConfig.KlPlacement;
import dev.rlflow.core.config.AlgorithmConfig.MacroActions;
import dev.rlflow.core.config.AlgorithmConfig.Name;
import dev.rlflow.training.advantage.Gae;
import dev.rlflow.training.advantage.GroupAdvantages;
import dev.rlflow.training.advantage.MonteCarloStepAdvantages;
import dev.rlflow.training.advantage.Raft;
import dev.rlflow.training.advantage.ReinforcePlusPlus;
import dev.rlflow.training.advantage.Steps;
import dev.rlflow.training.advantage.TokenAdvantages;
import dev.rlflow.training.advantage.TokenRewards;
import dev.rlflow.training.advantage.Whitening;
import dev.rlflow.training.kl.KlEstimators;
import dev.rlflow.training.macro.MacroGae;
import dev.rlflow.training.macro.Segmentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a batch of {@link Experience} into per-token advantages and returns, by the algorithm a run
 * names (ALGORITHMS.md §3 and §5). Every algorithm starts from the same token rewards ({@link
 * TokenRewards}: step rewards, the outcome on the last token, and {@code -beta * KL_t} when KL is
 * placed in the reward, KL by {@code algorithm.kl_estimator}):
 *
 * <ul>
 *   <li>{@code ppo}: GAE with the critic's values, over tokens or over macro actions ({@code
 *       algorithm.macro_actions}); returns are the λ-returns the critic regresses to.
 *   <li>{@code grpo}: group-normalised, per prompt. When any response of the batch has steps, the
 *       batch uses process supervision (DeepSeekMath §4.1.3; ALGORITHMS.md §3: step rewards
 *       normalised over the group's steps, outcomes over its responses, then added); otherwise each
 *       response is scored by the sum of its token rewards, the outcome minus the KL penalty.
 *   <li>{@code rloo}: leave-one-out baseline per prompt on that same sum.
 *   <li>{@code reinforce_pp}: token returns whitened over the batch.
 *   <li>{@code raft}: 1 on the accepted tokens, 0 elsewhere ({@link Raft}); the trainer updates on
 *       the accepted tokens alone.
 *   <li>{@code vineppo}: per step, {@link MonteCarloStepAdvantages} from the rollout's Monte Carlo
 *       step values, the prompt valued by the mean outcome of its group, the last step by the
 *       response's own outcome; not whitened (VinePPO trains on the raw Monte Carlo advantages).
 * </ul>
 *
 * <p>{@code algorithm.whiten_advantages} whitens over the batch where the algorithm has no
 * normalisation of its own: ppo and rloo. grpo is normalised per group and reinforce_pp over the
 * batch by definition. For the critic-free algorithms the returns are the discounted reward-to-go,
 * a metric that no critic trains on.
 */
public final class AdvantageEstimator {

  private final AlgorithmConfig config;

  /**
   * An estimator for {@code config}'s algorithm.
   *
   * @throws IllegalArgumentException if macro actions are configured for an algorithm other than
   *     ppo (they segment GAE, which only ppo runs)
   */
  public AdvantageEstimator(AlgorithmConfig config) {
    if (config.macroActions() != MacroActions.NONE && config.name() != Name.PPO) {
      throw new IllegalArgumentException(
          "Invalid value "
              + lower(config.macroActions())
              + " for algorithm.macro_actions: must be none unless algorithm.name is ppo (macro"
              + " actions segment GAE), not "
              + lower(config.name()));
    }
    this.config = config;
  }

  /**
   * The per-token KL(pi_old || pi_ref) of every response, by {@code algorithm.kl_estimator}: what
   * {@link #estimate(List, List, double)} puts in the reward, and the trainer's KL metric and
   * controller read, computed once.
   */
  public List<double[]> kl(List<Experience> batch) {
    List<double[]> kl = new ArrayList<>(batch.size());
    for (Experience e : batch) {
      kl.add(KlEstimators.estimate(config.klEstimator(), e.logProbs(), e.refLogProbs())); // (T)
    }
    return kl;
  }

  /**
   * {@link #estimate(List, List, double)} with the KL of {@link #kl}.
   *
   * @throws IllegalArgumentException as {@link #estimate(List, List, double)}
   */
  public List<TokenAdvantages> estimate(List<Experience> batch, double klCoef) {
    return estimate(batch, kl(batch), klCoef);
  }

  /**
   * The advantages and returns of every response, in the batch's order.
   *
   * @param batch the responses of one update; for grpo and rloo every prompt's whole group
   * @param kl the per-token KL of each response ({@link #kl})
   * @param klCoef the KL coefficient beta now ({@code KlController.coef()}), used where KL is
   *     placed in the reward
   * @throws IllegalArgumentException if the batch is empty, ppo lacks values, a group has fewer
   *     than 2 responses, or process GRPO is asked to put KL in the reward
   */
  public List<TokenAdvantages> estimate(List<Experience> batch, List<double[]> kl, double klCoef) {
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("Nothing to estimate: the batch holds no response");
    }
    if (kl.size() != batch.size()) {
      throw new IllegalArgumentException(
          batch.size() + " responses but " + kl.size() + " KL rows: must be equal");
    }
    boolean klInReward = config.effectiveKlPlacement() == KlPlacement.REWARD;
    double beta = klInReward ? klCoef : 0;
    List<double[]> rewards = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Experience e = batch.get(i);
      rewards.add(TokenRewards.of(kl.get(i), beta, e.steps(), e.outcome()));
    }
    return switch (config.name()) {
      case PPO -> whitenIf(config.whitenAdvantages(), ppo(batch, rewards));
      case GRPO -> grouped(batch, rewards, klInReward);
      case RLOO -> whitenIf(config.whitenAdvantages(), grouped(batch, rewards, klInReward));
      case REINFORCE_PP -> ReinforcePlusPlus.estimate(rewards, config.gamma());
      case RAFT -> raft(batch, rewards);
      case VINEPPO -> vine(batch, rewards);
    };
  }

  /**
   * VinePPO: each response's step advantages from its step values, V̂(s_0) the mean outcome of its
   * prompt's group (the group is the prompt's own Monte Carlo sample of G rollouts).
   */
  private List<TokenAdvantages> vine(List<Experience> batch, List<double[]> rewards) {
    double[][] advantages = new double[batch.size()][];
    for (List<Integer> members : groups(batch).values()) {
      double root = 0;
      for (int i : members) {
        root += batch.get(i).outcome() / members.size();
      }
      for (int i : members) {
        Experience e = batch.get(i);
        double[] values = e.stepValues();
        if (values.length == 0) {
          throw new IllegalArgumentException(
              "Invalid length 0 of stepValues of response "
                  + i
                  + ": vineppo needs the rollout's Monte Carlo value of every step");
        }
        values[values.length - 1] = e.outcome(); // after the last step: the response's outcome
        double[] steps = MonteCarloStepAdvantages.steps(root, values, e.steps().rewards());
        advantages[i] = MonteCarloStepAdvantages.tokens(e.steps().ends(), steps, e.tokens());
      }
    }
    return withRewardToGo(advantages, rewards);
  }

  private List<TokenAdvantages> ppo(List<Experience> batch, List<double[]> rewards) {
    List<TokenAdvantages> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Experience e = batch.get(i);
      if (!e.hasValues()) {
        throw new IllegalArgumentException(
            "Invalid length 0 of values of response "
                + i
                + ": ppo needs the critic's value of every token");
      }
      out.add(
          config.macroActions() == MacroActions.NONE
              ? Gae.estimate(rewards.get(i), e.values(), config.gamma(), config.lambda())
              : MacroGae.estimate(
                  rewards.get(i),
                  e.values(),
                  Segmentation.of(
                      config.macroActions(), config.macroN(), e.steps(), e.refLogProbs()),
                  config.gamma(),
                  config.lambda()));
    }
    return out;
  }

  private List<TokenAdvantages> raft(List<Experience> batch, List<double[]> rewards) {
    List<TokenAdvantages> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Experience e = batch.get(i);
      out.add(
          new TokenAdvantages(
              Raft.advantages(e.outcome(), e.steps(), e.tokens()),
              Gae.rewardToGo(rewards.get(i), config.gamma())));
    }
    return out;
  }

  private List<TokenAdvantages> grouped(
      List<Experience> batch, List<double[]> rewards, boolean klInReward) {
    boolean process =
        config.name() == Name.GRPO && batch.stream().anyMatch(e -> !e.steps().isEmpty());
    if (process && klInReward) {
      throw new IllegalArgumentException(
          "Invalid value reward for algorithm.kl_placement: must be loss for process GRPO, whose"
              + " advantages come from step rewards alone");
    }
    double[][] advantages = new double[batch.size()][];
    for (List<Integer> members : groups(batch).values()) {
      if (process) {
        List<Steps> steps = new ArrayList<>(members.size());
        double[] outcomes = new double[members.size()];
        int[] lengths = new int[members.size()];
        for (int k = 0; k < members.size(); k++) {
          Experience e = batch.get(members.get(k));
          steps.add(e.steps());
          outcomes[k] = e.outcome();
          lengths[k] = e.tokens();
        }
        List<double[]> a = GroupAdvantages.processGrpo(steps, outcomes, lengths);
        for (int k = 0; k < members.size(); k++) {
          advantages[members.get(k)] = a.get(k);
        }
      } else {
        double[] scores = new double[members.size()];
        for (int k = 0; k < members.size(); k++) {
          for (double r : rewards.get(members.get(k))) {
            scores[k] += r;
          }
        }
        double[] a =
            config.name() == Name.GRPO
                ? GroupAdvantages.grpo(scores)
                : GroupAdvantages.rloo(scores);
        for (int k = 0; k < members.size(); k++) {
          double[] perToken = new double[batch.get(members.get(k)).tokens()];
          Arrays.fill(perToken, a[k]);
          advantages[members.get(k)] = perToken;
        }
      }
    }
    return withRewardToGo(advantages, rewards);
  }

  /** The indices of the batch's responses by prompt group, groups in order of first appearance. */
  private static Map<Integer, List<Integer>> groups(List<Experience> batch) {
    Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      groups.computeIfAbsent(batch.get(i).group(), g -> new ArrayList<>()).add(i);
    }
    return groups;
  }

  /** Each response's advantages with the discounted reward-to-go as its (untrained) returns. */
  private List<TokenAdvantages> withRewardToGo(double[][] advantages, List<double[]> rewards) {
    List<TokenAdvantages> out = new ArrayList<>(advantages.length);
    for (int i = 0; i < advantages.length; i++) {
      out.add(new TokenAdvantages(advantages[i], Gae.rewardToGo(rewards.get(i), config.gamma())));
    }
    return out;
  }

  private static List<TokenAdvantages> whitenIf(boolean whiten, List<TokenAdvantages> estimates) {
    if (!whiten) {
      return estimates;
    }
    List<double[]> advantages = new ArrayList<>(estimates.size());
    for (TokenAdvantages estimate : estimates) {
      advantages.add(estimate.advantages());
    }
    List<double[]> whitened = Whitening.whiten(advantages);
    List<TokenAdvantages> out = new ArrayList<>(estimates.size());
    for (int i = 0; i < estimates.size(); i++) {
      out.add(estimates.get(i).withAdvantages(whitened.get(i)));
    }
    return out;
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
