package dev.rlflow.core.config;

import java.util.List;

/**
 * The {@code sft} section: supervised warm start on the task's demonstrations, pinned to a number
 * of updates (not seconds) so results do not depend on machine speed.
 *
 * @param updates optimizer updates
 * @param batchSize demonstrations per update
 * @param microBatches gradient-accumulation micro-batches per update
 * @param lr peak learning rate
 * @param warmupUpdates linear warm-up length
 * @param schedule decay after warm-up
 * @param minLrRatio the learning rate at the last update, as a fraction of the peak (cosine)
 * @param weightDecay AdamW's decoupled weight decay
 * @param gradClip global gradient-norm clip of SFT's updates (RL's is {@code algorithm.grad_clip})
 * @param maxSkippedUpdates consecutive non-finite SFT updates tolerated before the run fails (RL's
 *     is {@code algorithm.max_skipped_updates})
 * @param checkpointEvery updates between checkpoints of the policy
 */
public record SftConfig(
    int updates,
    int batchSize,
    int microBatches,
    double lr,
    int warmupUpdates,
    Schedule schedule,
    double minLrRatio,
    double weightDecay,
    double gradClip,
    int maxSkippedUpdates,
    int checkpointEvery) {

  /** Learning-rate decay after warm-up. */
  public enum Schedule {
    /** Cosine decay to min_lr_ratio x lr at the last update. */
    COSINE,
    /** The peak rate until the end. */
    CONSTANT
  }

  static final ConfigOption<Integer> UPDATES =
      ConfigOption.of(
          "sft.updates", ValueType.INT, 1500, Rule.atLeast(1), "Optimizer updates of SFT.");
  static final ConfigOption<Integer> BATCH_SIZE =
      ConfigOption.of(
          "sft.batch_size", ValueType.INT, 32, Rule.atLeast(1), "Demonstrations per update.");
  static final ConfigOption<Integer> MICRO_BATCHES =
      ConfigOption.of(
          "sft.micro_batches",
          ValueType.INT,
          1,
          Rule.atLeast(1),
          "Gradient accumulation: micro-batches per update (bounds activation memory), each of"
              + " examples of similar length so that less of it is padding.");
  static final ConfigOption<Double> LR =
      ConfigOption.of("sft.lr", ValueType.DOUBLE, 2e-3, Rule.above(0.0), "Peak learning rate.");
  static final ConfigOption<Integer> WARMUP_UPDATES =
      ConfigOption.of(
          "sft.warmup_updates", ValueType.INT, 50, Rule.atLeast(0), "Linear warm-up updates.");
  static final ConfigOption<Schedule> SCHEDULE =
      ConfigOption.of(
          "sft.schedule",
          ValueType.ofEnum(Schedule.class),
          Schedule.COSINE,
          Rule.any(),
          "cosine (decay to min_lr_ratio x lr) or constant.");
  static final ConfigOption<Double> MIN_LR_RATIO =
      ConfigOption.of(
          "sft.min_lr_ratio",
          ValueType.DOUBLE,
          0.05,
          Rule.between(0.0, 1.0),
          "Final learning rate as a fraction of the peak (cosine).");
  static final ConfigOption<Double> WEIGHT_DECAY =
      ConfigOption.of(
          "sft.weight_decay",
          ValueType.DOUBLE,
          0.01,
          Rule.atLeast(0.0),
          "AdamW decoupled weight decay (norm gains and biases excluded).");
  static final ConfigOption<Double> GRAD_CLIP =
      ConfigOption.of(
          "sft.grad_clip",
          ValueType.DOUBLE,
          1.0,
          Rule.above(0.0),
          "Clip the global gradient norm to this value.");
  static final ConfigOption<Integer> MAX_SKIPPED_UPDATES =
      ConfigOption.of(
          "sft.max_skipped_updates",
          ValueType.INT,
          3,
          Rule.atLeast(1),
          "Consecutive updates with a non-finite loss or gradient that are skipped before the run"
              + " fails with TrainingDivergedException.");
  static final ConfigOption<Integer> CHECKPOINT_EVERY =
      ConfigOption.of(
          "sft.checkpoint_every",
          ValueType.INT,
          500,
          Rule.atLeast(1),
          "Updates between policy checkpoints (the last update always writes one).");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(
          UPDATES,
          BATCH_SIZE,
          MICRO_BATCHES,
          LR,
          WARMUP_UPDATES,
          SCHEDULE,
          MIN_LR_RATIO,
          WEIGHT_DECAY,
          GRAD_CLIP,
          MAX_SKIPPED_UPDATES,
          CHECKPOINT_EVERY);

  static SftConfig from(ConfigValues v) {
    return new SftConfig(
        v.get(UPDATES),
        v.get(BATCH_SIZE),
        v.get(MICRO_BATCHES),
        v.get(LR),
        v.get(WARMUP_UPDATES),
        v.get(SCHEDULE),
        v.get(MIN_LR_RATIO),
        v.get(WEIGHT_DECAY),
        v.get(GRAD_CLIP),
        v.get(MAX_SKIPPED_UPDATES),
        v.get(CHECKPOINT_EVERY));
  }

  void validate(List<String> problems) {
    if (warmupUpdates >= updates) {
      problems.add(
          Problems.invalid(WARMUP_UPDATES, warmupUpdates, "be < sft.updates (" + updates + ")"));
    }
    if (batchSize % microBatches != 0) {
      problems.add(
          Problems.invalid(
              MICRO_BATCHES, microBatches, "divide sft.batch_size (" + batchSize + ")"));
    }
  }
}
