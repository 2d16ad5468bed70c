package dev.rlflow.core.config;

import java.util.List;

/**
 * The {@code placement} section: where the dataflow's roles run and how many subtasks each gets.
 *
 * @param mode whether rollout and trainer share devices
 * @param rolloutParallelism rollout subtasks
 * @param rewardParallelism reward (verifier + PRM) subtasks
 * @param slotsPerTaskManager slots of each embedded TaskManager
 */
public record PlacementConfig(
    Mode mode, int rolloutParallelism, int rewardParallelism, int slotsPerTaskManager) {

  /** Placement of the actor's generation relative to its training. */
  public enum Mode {
    /**
     * Rollout and trainer share a slot sharing group and devices; weights are handed over in memory
     * and the hybrid engine time-shares the device.
     */
    COLOCATED,
    /** Rollout subtasks on other TaskManagers read versions from the filesystem weight store. */
    DISAGGREGATED
  }

  static final ConfigOption<Mode> MODE =
      ConfigOption.of(
          "placement.mode",
          ValueType.ofEnum(Mode.class),
          Mode.COLOCATED,
          Rule.any(),
          "colocated (rollout and trainer share devices; weights move in memory, one JVM) or"
              + " disaggregated (weights move through the filesystem weight store under the run"
              + " directory's weights/, on any Hadoop FileSystem, so rollout subtasks may run in"
              + " other TaskManagers).");
  static final ConfigOption<Integer> ROLLOUT_PARALLELISM =
      ConfigOption.of(
          "placement.rollout_parallelism",
          ValueType.INT,
          1,
          Rule.atLeast(1),
          "Rollout subtasks; in the RL job at most rollout.prompts_per_batch. The trainer is"
              + " always one subtask.");
  static final ConfigOption<Integer> REWARD_PARALLELISM =
      ConfigOption.of(
          "placement.reward_parallelism",
          ValueType.INT,
          1,
          Rule.atLeast(1),
          "Reward subtasks (verifier and PRM scoring).");
  static final ConfigOption<Integer> SLOTS_PER_TASK_MANAGER =
      ConfigOption.of(
          "placement.slots_per_task_manager",
          ValueType.INT,
          4,
          Rule.atLeast(1),
          "Task slots of the embedded MiniCluster's TaskManager.");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(MODE, ROLLOUT_PARALLELISM, REWARD_PARALLELISM, SLOTS_PER_TASK_MANAGER);

  static PlacementConfig from(ConfigValues v) {
    return new PlacementConfig(
        v.get(MODE),
        v.get(ROLLOUT_PARALLELISM),
        v.get(REWARD_PARALLELISM),
        v.get(SLOTS_PER_TASK_MANAGER));
  }
}
