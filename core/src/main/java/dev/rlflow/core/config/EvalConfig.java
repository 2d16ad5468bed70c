package dev.rlflow.core.config;

import java.util.List;

/**
 * The {@code eval} section: how a policy is evaluated on the held-out problems ({@code
 * task.test_examples} of them).
 *
 * @param samples sampled solutions per problem, for pass@k and sampled accuracy
 * @param passK the k of pass@k (at most samples)
 * @param temperature sampling temperature of the sampled solutions
 * @param batchSize problems per generation call
 */
public record EvalConfig(int samples, int passK, double temperature, int batchSize) {

  static final ConfigOption<Integer> SAMPLES =
      ConfigOption.of(
          "eval.samples",
          ValueType.INT,
          4,
          Rule.atLeast(0),
          "Sampled solutions per problem besides the greedy one (0: greedy only).");
  static final ConfigOption<Integer> PASS_K =
      ConfigOption.of(
          "eval.pass_k",
          ValueType.INT,
          4,
          Rule.atLeast(1),
          "k of pass@k (unbiased estimator of Chen et al. 2021), at most eval.samples.");
  static final ConfigOption<Double> TEMPERATURE =
      ConfigOption.of(
          "eval.temperature",
          ValueType.DOUBLE,
          1.0,
          Rule.above(0.0),
          "Temperature of the sampled solutions.");
  static final ConfigOption<Integer> BATCH_SIZE =
      ConfigOption.of(
          "eval.batch_size",
          ValueType.INT,
          256,
          Rule.atLeast(1),
          "Problems per generation call of an eval subtask.");

  static final List<ConfigOption<?>> OPTIONS = List.of(SAMPLES, PASS_K, TEMPERATURE, BATCH_SIZE);

  static EvalConfig from(ConfigValues v) {
    return new EvalConfig(v.get(SAMPLES), v.get(PASS_K), v.get(TEMPERATURE), v.get(BATCH_SIZE));
  }

  void validate(List<String> problems) {
    if (samples > 0 && passK > samples) {
      problems.add(Problems.invalid(PASS_K, passK, "be <= eval.samples (" + samples + ")"));
    }
  }
}
