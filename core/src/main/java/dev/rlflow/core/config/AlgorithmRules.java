package dev.rlflow.core.config;

import java.util.List;

/**
 * The rules that tie the {@code algorithm} section to the {@code rollout} and {@code reward}
 * sections: combinations each section accepts alone but the algorithm cannot run.
 */
final class AlgorithmRules {
  private AlgorithmRules() {}

  /**
   * Adds to {@code problems} each rule {@code a} breaks with {@code rollout} and {@code reward}.
   */
  static void check(
      AlgorithmConfig a, RolloutConfig rollout, RewardConfig reward, List<String> problems) {
    if (a.name() == AlgorithmConfig.Name.RAFT && reward.outcomeWeight() == 0.0) {
      problems.add(
          Problems.invalid(
              RewardConfig.OUTCOME_WEIGHT,
              0,
              "be > 0 when algorithm.name is raft (it accepts the responses the verifier rewards)"));
    }
    if (a.name() != AlgorithmConfig.Name.RAFT && a.replaySize() > 0) {
      problems.add(
          Problems.invalid(
              AlgorithmOptions.REPLAY_SIZE,
              a.replaySize(),
              "be 0 unless algorithm.name is raft (only its likelihood loss can learn from an"
                  + " earlier policy's samples), not "
                  + ValueType.enumName(a.name())));
    }
    if (a.name() == AlgorithmConfig.Name.RAFT
        && a.klPlacement() == AlgorithmConfig.KlPlacement.REWARD) {
      problems.add(
          Problems.invalid(
              AlgorithmOptions.KL_PLACEMENT,
              "reward",
              "be auto or loss when algorithm.name is raft (its advantages ignore the reward's"
                  + " size)"));
    }
    if (a.klEstimator() == AlgorithmConfig.KlEstimator.K1
        && a.effectiveKlPlacement() == AlgorithmConfig.KlPlacement.LOSS) {
      problems.add(
          Problems.invalid(
              AlgorithmOptions.KL_ESTIMATOR,
              "k1",
              "be k2 or k3 when algorithm.kl_placement puts KL in the loss (it is "
                  + ValueType.enumName(a.klPlacement())
                  + " for "
                  + ValueType.enumName(a.name())
                  + "): k1's loss gradient has zero expectation and pulls nothing back"));
    }
    if (a.macroActions() != AlgorithmConfig.MacroActions.NONE
        && a.name() != AlgorithmConfig.Name.PPO) {
      problems.add(
          Problems.invalid(
              AlgorithmOptions.MACRO_ACTIONS,
              ValueType.enumName(a.macroActions()),
              "be none unless algorithm.name is ppo (macro actions segment GAE), not "
                  + ValueType.enumName(a.name())));
    }
    checkVinePpo(a, problems);
    if (a.name().usesGroups() && rollout.samplesPerPrompt() < 2) {
      problems.add(
          Problems.invalid(
              RolloutConfig.SAMPLES_PER_PROMPT.key(),
              rollout.samplesPerPrompt(),
              "be >= 2 when algorithm.name is "
                  + ValueType.enumName(a.name())
                  + " (its baseline compares the samples of one prompt)"));
    }
    if (a.minibatchSize() > rollout.samplesPerBatch()) {
      problems.add(
          Problems.invalid(
              AlgorithmOptions.MINIBATCH_SIZE,
              a.minibatchSize(),
              "be <= the responses per batch, rollout.prompts_per_batch x"
                  + " rollout.samples_per_prompt ("
                  + rollout.samplesPerBatch()
                  + ")"));
    }
  }

  /**
   * vineppo's own keys are refused for the other algorithms, which would ignore them, and KL in the
   * reward for vineppo, whose advantages come from step values alone.
   */
  private static void checkVinePpo(AlgorithmConfig a, List<String> problems) {
    if (a.name() == AlgorithmConfig.Name.VINEPPO) {
      if (a.klPlacement() == AlgorithmConfig.KlPlacement.REWARD) {
        problems.add(
            Problems.invalid(
                AlgorithmOptions.KL_PLACEMENT,
                "reward",
                "be auto or loss when algorithm.name is vineppo (its advantages come from Monte"
                    + " Carlo step values, not from token rewards)"));
      }
      return;
    }
    String not = " unless algorithm.name is vineppo, not " + ValueType.enumName(a.name());
    if (a.mcRollouts() != AlgorithmOptions.MC_ROLLOUTS.defaultValue()) {
      problems.add(
          Problems.invalid(
              AlgorithmOptions.MC_ROLLOUTS,
              a.mcRollouts(),
              "be left at its default " + AlgorithmOptions.MC_ROLLOUTS.defaultValue() + not));
    }
    if (a.mcProbes() != AlgorithmOptions.MC_PROBES.defaultValue()) {
      problems.add(
          Problems.invalid(
              AlgorithmOptions.MC_PROBES,
              ValueType.enumName(a.mcProbes()),
              "be left at its default every_step" + not));
    }
  }
}
