package dev.rlflow.core.config;

import java.util.List;

/**
 * The {@code prm} section: how {@code prm-train} turns process labels into a process reward model
 * (ALGORITHMS.md §2) and how {@code eval --selection} uses it.
 *
 * @param objective what the model learns from a label
 * @param init where the backbone starts
 * @param confidence whether the PRM stacks its head with the policy's confidence
 * @param updates optimizer updates
 * @param batchSize label sequences (pointwise) or sibling groups (pairwise) per update
 * @param lr peak learning rate (cosine decay after a linear warm-up)
 * @param warmupUpdates linear warm-up updates
 * @param weightDecay AdamW's decoupled weight decay
 * @param gradClip global gradient-norm clip
 * @param maxSkippedUpdates consecutive non-finite updates tolerated before prm-train fails
 * @param heldOutFraction share of the labelled questions kept out of training for prm-eval.json
 * @param selectionProblems held-out problems of {@code eval --selection}
 * @param selectionSamples sampled solutions per problem for selection, the largest N reported
 */
public record PrmConfig(
    Objective objective,
    Init init,
    Confidence confidence,
    int updates,
    int batchSize,
    double lr,
    int warmupUpdates,
    double weightDecay,
    double gradClip,
    int maxSkippedUpdates,
    double heldOutFraction,
    int selectionProblems,
    int selectionSamples) {

  /** What a PRM learns from its labels (ALGORITHMS.md §2). */
  public enum Objective {
    /** Binary cross-entropy against the Monte Carlo value, a soft label in [0, 1]. */
    SOFT,
    /** Binary cross-entropy against the hard label, 1 when MC > 0. */
    HARD,
    /** Bradley–Terry on sibling steps (same prefix), target ½(1 + p − q). */
    PAIRWISE
  }

  /** Where the PRM's backbone starts. */
  public enum Init {
    /** The policy checkpoint's backbone; a new score head. */
    POLICY,
    /** New weights from the run seed, the policy's architecture. */
    SCRATCH
  }

  /** What the PRM's score stacks with its head (reward.prm.ScoreStack). */
  public enum Confidence {
    /** The policy's prefix confidence, weighted by a fit on labels the head did not train on. */
    POLICY,
    /** Nothing: P(correct) is the head's alone. */
    NONE
  }

  static final ConfigOption<Objective> OBJECTIVE =
      ConfigOption.of(
          "prm.objective",
          ValueType.ofEnum(Objective.class),
          Objective.SOFT,
          Rule.any(),
          "Training objective: soft (BCE against MC), hard (BCE against MC > 0) or pairwise"
              + " (Bradley-Terry on sibling steps).");
  static final ConfigOption<Init> INIT =
      ConfigOption.of(
          "prm.init",
          ValueType.ofEnum(Init.class),
          Init.POLICY,
          Rule.any(),
          "Backbone start: policy (the SFT checkpoint's backbone, new score head) or scratch.");
  static final ConfigOption<Confidence> CONFIDENCE =
      ConfigOption.of(
          "prm.confidence",
          ValueType.ofEnum(Confidence.class),
          Confidence.POLICY,
          Rule.any(),
          "policy: P(correct) = sigmoid(a * head margin + b * the policy's smallest token log-prob"
              + " in the steps so far + c), a, b, c fitted to the correctness of the held-out"
              + " questions' labels (the training ones when fewer than 50), the policy kept in the"
              + " PRM's policy/ directory; none: the head alone.");
  static final ConfigOption<Integer> UPDATES =
      ConfigOption.of(
          "prm.updates", ValueType.INT, 300, Rule.atLeast(1), "Optimizer updates of prm-train.");
  static final ConfigOption<Integer> BATCH_SIZE =
      ConfigOption.of(
          "prm.batch_size",
          ValueType.INT,
          32,
          Rule.atLeast(1),
          "Label sequences (soft, hard) or sibling groups (pairwise) per update.");
  static final ConfigOption<Double> LR =
      ConfigOption.of("prm.lr", ValueType.DOUBLE, 1e-3, Rule.above(0.0), "Peak learning rate.");
  static final ConfigOption<Integer> WARMUP_UPDATES =
      ConfigOption.of(
          "prm.warmup_updates", ValueType.INT, 20, Rule.atLeast(0), "Linear warm-up updates.");
  static final ConfigOption<Double> WEIGHT_DECAY =
      ConfigOption.of(
          "prm.weight_decay",
          ValueType.DOUBLE,
          0.01,
          Rule.atLeast(0.0),
          "AdamW's decoupled weight decay.");
  static final ConfigOption<Double> GRAD_CLIP =
      ConfigOption.of(
          "prm.grad_clip",
          ValueType.DOUBLE,
          1.0,
          Rule.above(0.0),
          "Clip the global gradient norm of prm-train to this value.");
  static final ConfigOption<Integer> MAX_SKIPPED_UPDATES =
      ConfigOption.of(
          "prm.max_skipped_updates",
          ValueType.INT,
          5,
          Rule.atLeast(1),
          "Consecutive prm-train updates with a non-finite loss or gradient that are skipped"
              + " before the run fails with TrainingDivergedException.");
  static final ConfigOption<Double> HELD_OUT_FRACTION =
      ConfigOption.of(
          "prm.held_out_fraction",
          ValueType.DOUBLE,
          0.1,
          Rule.between(0.0, 0.5),
          "Share of labelled questions kept out of training and scored in prm-eval.json.");
  static final ConfigOption<Integer> SELECTION_PROBLEMS =
      ConfigOption.of(
          "prm.selection_problems",
          ValueType.INT,
          500,
          Rule.atLeast(1),
          "Held-out problems of eval --selection (at most task.test_examples).");
  static final ConfigOption<Integer> SELECTION_SAMPLES =
      ConfigOption.of(
          "prm.selection_samples",
          ValueType.INT,
          16,
          Rule.atLeast(8),
          "Sampled solutions per problem of eval --selection; N = 8 and this are reported.");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(
          OBJECTIVE,
          INIT,
          CONFIDENCE,
          UPDATES,
          BATCH_SIZE,
          LR,
          WARMUP_UPDATES,
          WEIGHT_DECAY,
          GRAD_CLIP,
          MAX_SKIPPED_UPDATES,
          HELD_OUT_FRACTION,
          SELECTION_PROBLEMS,
          SELECTION_SAMPLES);

  static PrmConfig from(ConfigValues v) {
    return new PrmConfig(
        v.get(OBJECTIVE),
        v.get(INIT),
        v.get(CONFIDENCE),
        v.get(UPDATES),
        v.get(BATCH_SIZE),
        v.get(LR),
        v.get(WARMUP_UPDATES),
        v.get(WEIGHT_DECAY),
        v.get(GRAD_CLIP),
        v.get(MAX_SKIPPED_UPDATES),
        v.get(HELD_OUT_FRACTION),
        v.get(SELECTION_PROBLEMS),
        v.get(SELECTION_SAMPLES));
  }

  void validate(List<String> problems) {
    if (warmupUpdates >= updates) {
      problems.add(
          Problems.invalid(WARMUP_UPDATES, warmupUpdates, "be < prm.updates (" + updates + ")"));
    }
  }
}
