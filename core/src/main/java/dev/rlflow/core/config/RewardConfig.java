package dev.rlflow.core.config;

import java.util.List;
import java.util.Optional;

/**
 * The {@code reward} section: how a response is scored. The outcome reward comes from a verifier;
 * dense step rewards come from a process reward model (PRM).
 *
 * @param verifier how the outcome reward is decided
 * @param prmPath the PRM checkpoint giving step rewards; empty for outcome reward only
 * @param prmAggregation how step scores combine into one solution score
 * @param outcomeWeight weight of the verifier's reward on the last token
 * @param stepWeight weight of each PRM step score on the token that ends the step
 * @param stepThreshold the PRM score at which a step counts as right, the centre of its step
 *     reward; empty: the PRM's own decision threshold (prm.json)
 */
public record RewardConfig(
    Verifier verifier,
    Optional<String> prmPath,
    Aggregation prmAggregation,
    double outcomeWeight,
    double stepWeight,
    Optional<Double> stepThreshold) {

  /** Outcome verifiers. */
  public enum Verifier {
    /** 1 when the extracted final answer equals the reference (numeric equivalence), else 0. */
    ANSWER,
    /** arith only: the ground-truth step checker; 1 only when every step and the answer hold. */
    ARITH_STEPS
  }

  /** Aggregation of a solution's step scores (ALGORITHMS.md §2). */
  public enum Aggregation {
    /** The weakest step (Math-Shepherd). */
    MIN,
    /** The product of step scores (PRM800K, OmegaPRM). */
    PRODUCT,
    /** The score of the last step. */
    LAST
  }

  static final ConfigOption<Verifier> VERIFIER =
      ConfigOption.of(
          "reward.verifier",
          ValueType.ofEnum(Verifier.class),
          Verifier.ANSWER,
          Rule.any(),
          "Outcome reward: answer (final-answer equivalence) or arith_steps (ground-truth step"
              + " checker, arith only).");
  static final ConfigOption<String> PRM_PATH =
      ConfigOption.optional(
          "reward.prm_path",
          ValueType.STRING,
          Rule.nonEmpty(),
          "PRM checkpoint (path or FileSystem URI) for dense step rewards. Unset: outcome only.");
  static final ConfigOption<Aggregation> PRM_AGGREGATION =
      ConfigOption.of(
          "reward.prm_aggregation",
          ValueType.ofEnum(Aggregation.class),
          Aggregation.PRODUCT,
          Rule.any(),
          "Step scores to a solution score: min, product or last.");
  static final ConfigOption<Double> OUTCOME_WEIGHT =
      ConfigOption.of(
          "reward.outcome_weight",
          ValueType.DOUBLE,
          1.0,
          Rule.atLeast(0.0),
          "Weight of the verifier's outcome reward, placed on the last token.");
  static final ConfigOption<Double> STEP_WEIGHT =
      ConfigOption.of(
          "reward.step_weight",
          ValueType.DOUBLE,
          0.5,
          Rule.atLeast(0.0),
          "Weight of each PRM step score (centred on the PRM's threshold), placed on the token"
              + " that ends the step. The trainer credits steps in min form (PURE): a token's"
              + " return is the smallest step reward at or after it, so more steps pay nothing.");

  static final ConfigOption<Double> STEP_THRESHOLD =
      ConfigOption.optional(
          "reward.step_threshold",
          ValueType.DOUBLE,
          Rule.aboveUpTo(0.0, 1.0),
          "The PRM score at which a step counts as right: step rewards are step_weight * (score -"
              + " threshold), and raft learns a verified response only when every step scores"
              + " above it. Unset: the PRM's decision threshold, fitted on its training labels"
              + " (prm.json).");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(VERIFIER, PRM_PATH, PRM_AGGREGATION, OUTCOME_WEIGHT, STEP_WEIGHT, STEP_THRESHOLD);

  static RewardConfig from(ConfigValues v) {
    return new RewardConfig(
        v.get(VERIFIER),
        v.optional(PRM_PATH),
        v.get(PRM_AGGREGATION),
        v.get(OUTCOME_WEIGHT),
        v.get(STEP_WEIGHT),
        v.optional(STEP_THRESHOLD));
  }

  void validate(TaskConfig task, List<String> problems) {
    if (verifier == Verifier.ARITH_STEPS && task.name() != TaskConfig.TaskName.ARITH) {
      problems.add(
          Problems.invalid(
              VERIFIER,
              "arith_steps",
              "be answer when task.name is not arith (it is "
                  + ValueType.enumName(task.name())
                  + ")"));
    }
    if (stepThreshold.isPresent() && stepWeight == 0.0) {
      problems.add(
          Problems.invalid(
              STEP_THRESHOLD,
              stepThreshold.get(),
              "be unset when reward.step_weight is 0 (no step is scored)"));
    }
    if (outcomeWeight == 0.0 && (prmPath.isEmpty() || stepWeight == 0.0)) {
      problems.add(
          Problems.invalid(
              OUTCOME_WEIGHT,
              0,
              "be > 0 unless reward.prm_path is set and reward.step_weight > 0 (else every"
                  + " reward is zero)"));
    }
  }
}
