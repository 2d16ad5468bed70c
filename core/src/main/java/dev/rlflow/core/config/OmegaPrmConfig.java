package dev.rlflow.core.config;

import java.util.List;

/**
 * The {@code omega_prm} section: process-label collection by OmegaPRM's divide-and-conquer MCTS
 * (Luo et al. 2024, arXiv 2406.06592; defaults from ALGORITHMS.md §1).
 *
 * @param questions questions to search
 * @param alpha Q's base for the Monte Carlo term, alpha^(1 - MC)
 * @param beta Q's base for the length term, beta^(len / L)
 * @param lengthScale L, in tokens
 * @param cPuct exploration weight of U
 * @param rolloutsPerEstimate k, rollouts per Monte Carlo estimate
 * @param searchLimit binary searches per question
 * @param prefilterRollouts rollouts that pre-filter a question (kept only if some are right and
 *     some wrong)
 * @param baselineSolutions sampled solutions per question the per-step Monte Carlo baseline labels
 * @param concurrentSearches searches one subtask runs at once, their rollouts batched together
 * @param temperature the completer's sampling temperature, apart from RL's {@code
 *     rollout.temperature}: a label estimates how often the policy itself completes a prefix
 *     correctly, whatever temperature RL explores at
 */
public record OmegaPrmConfig(
    int questions,
    double alpha,
    double beta,
    int lengthScale,
    double cPuct,
    int rolloutsPerEstimate,
    int searchLimit,
    int prefilterRollouts,
    int baselineSolutions,
    int concurrentSearches,
    double temperature) {

  static final ConfigOption<Integer> QUESTIONS =
      ConfigOption.of(
          "omega_prm.questions",
          ValueType.INT,
          200,
          Rule.atLeast(1),
          "Questions searched by prm-collect.");
  static final ConfigOption<Double> ALPHA =
      ConfigOption.of(
          "omega_prm.alpha",
          ValueType.DOUBLE,
          0.5,
          Rule.aboveUpTo(0.0, 1.0),
          "Q = alpha^(1 - MC) * beta^(len / L): prefers rollouts from states whose MC is high.");
  static final ConfigOption<Double> BETA =
      ConfigOption.of(
          "omega_prm.beta",
          ValueType.DOUBLE,
          0.9,
          Rule.aboveUpTo(0.0, 1.0),
          "Q's length term: prefers short wrong rollouts.");
  static final ConfigOption<Integer> LENGTH_SCALE =
      ConfigOption.of(
          "omega_prm.length_scale",
          ValueType.INT,
          500,
          Rule.atLeast(1),
          "L, the length normaliser of Q, in tokens.");
  static final ConfigOption<Double> C_PUCT =
      ConfigOption.of(
          "omega_prm.c_puct",
          ValueType.DOUBLE,
          0.125,
          Rule.atLeast(0.0),
          "Exploration weight: U = c_puct * sqrt(sum N) / (1 + N(s)).");
  static final ConfigOption<Integer> ROLLOUTS_PER_ESTIMATE =
      ConfigOption.of(
          "omega_prm.rollouts_per_estimate",
          ValueType.INT,
          8,
          Rule.atLeast(1),
          "k: rollouts per Monte Carlo estimate of a prefix.");
  static final ConfigOption<Integer> SEARCH_LIMIT =
      ConfigOption.of(
          "omega_prm.search_limit",
          ValueType.INT,
          100,
          Rule.atLeast(1),
          "Binary searches per question before the search stops.");
  static final ConfigOption<Integer> PREFILTER_ROLLOUTS =
      ConfigOption.of(
          "omega_prm.prefilter_rollouts",
          ValueType.INT,
          32,
          Rule.atLeast(1),
          "Rollouts that pre-filter a question: kept only if some are right and some wrong.");

  static final ConfigOption<Integer> BASELINE_SOLUTIONS =
      ConfigOption.of(
          "omega_prm.baseline_solutions",
          ValueType.INT,
          4,
          Rule.atLeast(1),
          "Per-step Monte Carlo baseline (--compare-mc): pre-filter rollouts per question whose"
              + " every step prefix gets k rollouts.");
  static final ConfigOption<Integer> CONCURRENT_SEARCHES =
      ConfigOption.of(
          "omega_prm.concurrent_searches",
          ValueType.INT,
          32,
          Rule.atLeast(1),
          "Searches one subtask runs at once; their rollout requests share one generation call.");
  static final ConfigOption<Double> TEMPERATURE =
      ConfigOption.of(
          "omega_prm.temperature",
          ValueType.DOUBLE,
          1.0,
          Rule.above(0.0),
          "Sampling temperature of the completer's rollouts (top_k, top_p and max_new_tokens are"
              + " rollout's): 1 estimates how often the policy itself completes a prefix.");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(
          QUESTIONS,
          ALPHA,
          BETA,
          LENGTH_SCALE,
          C_PUCT,
          ROLLOUTS_PER_ESTIMATE,
          SEARCH_LIMIT,
          PREFILTER_ROLLOUTS,
          BASELINE_SOLUTIONS,
          CONCURRENT_SEARCHES,
          TEMPERATURE);

  static OmegaPrmConfig from(ConfigValues v) {
    return new OmegaPrmConfig(
        v.get(QUESTIONS),
        v.get(ALPHA),
        v.get(BETA),
        v.get(LENGTH_SCALE),
        v.get(C_PUCT),
        v.get(ROLLOUTS_PER_ESTIMATE),
        v.get(SEARCH_LIMIT),
        v.get(PREFILTER_ROLLOUTS),
        v.get(BASELINE_SOLUTIONS),
        v.get(CONCURRENT_SEARCHES),
        v.get(TEMPERATURE));
  }
}
