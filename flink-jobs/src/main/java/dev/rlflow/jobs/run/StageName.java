package dev.rlflow.jobs.run;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The name a stage that ran has in {@code summary.json} ({@code "name": "<key>"}, and the {@code
 * <key>_accuracy} keys): one per training stage, and one per evaluation of the policy a training
 * stage wrote.
 */
public enum StageName {
  /** Supervised warm start. */
  SFT,
  /** Evaluation of the SFT policy, or of a given one when no training stage ran before it. */
  EVAL,
  /** Process labels collected by OmegaPRM (and the per-step MC baseline). */
  PRM_COLLECT,
  /** A process reward model trained on the labels. */
  PRM_TRAIN,
  /** Test-time selection among sampled solutions with the PRMs. */
  SELECTION,
  /** Reinforcement learning. */
  RL,
  /** Evaluation of the policy RL wrote. */
  EVAL_RL,
  /** RL's control: continued SFT for RL's wall time. */
  CONTROL,
  /** Evaluation of the policy the control wrote. */
  EVAL_CONTROL;

  /** The name as written, e.g. {@code eval_rl}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The stage named {@code key}.
   *
   * @throws IllegalArgumentException naming the value and the names allowed if there is none
   */
  public static StageName fromKey(String key) {
    for (StageName name : values()) {
      if (name.key().equals(key)) {
        return name;
      }
    }
    throw new IllegalArgumentException(
        "Invalid value '"
            + key
            + "' for stage name: must be one of "
            + Arrays.stream(values()).map(StageName::key).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return key();
  }
}
