package dev.rlflow.core.config;

import dev.rlflow.core.task.arith.ArithOp;
import dev.rlflow.core.task.arith.ArithSpec;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * The {@code task} section: which problems the run learns from and is evaluated on.
 *
 * @param name the task
 * @param trainPath JSONL training problems, for the gsm8k and math tasks
 * @param testPath JSONL held-out problems, for the gsm8k and math tasks
 * @param stepSeparator what separates reasoning steps in a solution
 * @param trainExamples how many demonstrations supervised warm start may use
 * @param testExamples how many held-out problems evaluation uses
 * @param arith the difficulty of the synthetic arithmetic task (all three operations)
 */
public record TaskConfig(
    TaskName name,
    Optional<String> trainPath,
    Optional<String> testPath,
    String stepSeparator,
    int trainExamples,
    int testExamples,
    ArithSpec arith) {

  /** The tasks rlflow knows. */
  public enum TaskName {
    /** Synthetic multi-step arithmetic, generated, with a ground-truth step checker. */
    ARITH,
    /** Grade-school maths word problems, JSONL in the GSM8K layout. */
    GSM8K,
    /** Competition maths, JSONL in the MATH layout. */
    MATH
  }

  static final ConfigOption<TaskName> NAME =
      ConfigOption.of(
          "task.name",
          ValueType.ofEnum(TaskName.class),
          TaskName.ARITH,
          Rule.any(),
          "The task: arith (synthetic, generated), gsm8k or math (JSONL files).");
  static final ConfigOption<String> TRAIN_PATH =
      ConfigOption.optional(
          "task.train_path",
          ValueType.STRING,
          Rule.nonEmpty(),
          "Training problems (JSONL in the task's layout), a path or FileSystem URI."
              + " Required for gsm8k and math.");
  static final ConfigOption<String> TEST_PATH =
      ConfigOption.optional(
          "task.test_path",
          ValueType.STRING,
          Rule.nonEmpty(),
          "Held-out problems (JSONL), a path or FileSystem URI. Unset for arith: generated from"
              + " the disjoint test split.");
  static final ConfigOption<String> STEP_SEPARATOR =
      ConfigOption.of(
          "task.step_separator",
          ValueType.STRING,
          "\n",
          Rule.nonEmpty(),
          "The text between reasoning steps of a solution.");
  static final ConfigOption<Integer> TRAIN_EXAMPLES =
      ConfigOption.of(
          "task.train_examples",
          ValueType.INT,
          1000,
          Rule.atLeast(1),
          "Demonstrations (solved problems) available to supervised warm start. RL later draws"
              + " fresh prompts without solutions.");
  static final ConfigOption<Integer> TEST_EXAMPLES =
      ConfigOption.of(
          "task.test_examples",
          ValueType.INT,
          2000,
          Rule.atLeast(1),
          "Held-out problems used by evaluation (2000 gives about +-1 point of noise).");
  static final ConfigOption<Integer> ARITH_MIN_STEPS =
      ConfigOption.of(
          "task.arith.min_steps",
          ValueType.INT,
          2,
          Rule.between(1, 12),
          "Fewest operations in an arith problem.");
  static final ConfigOption<Integer> ARITH_MAX_STEPS =
      ConfigOption.of(
          "task.arith.max_steps",
          ValueType.INT,
          5,
          Rule.between(1, 12),
          "Most operations in an arith problem.");
  static final ConfigOption<Integer> ARITH_START_MAX =
      ConfigOption.of(
          "task.arith.start_max",
          ValueType.INT,
          20,
          Rule.atLeast(1),
          "Start values are drawn from 1..start_max.");
  static final ConfigOption<Integer> ARITH_OPERAND_MAX =
      ConfigOption.of(
          "task.arith.operand_max",
          ValueType.INT,
          9,
          Rule.atLeast(1),
          "Operands are drawn from 1..operand_max.");
  static final ConfigOption<Integer> ARITH_MAX_VALUE =
      ConfigOption.of(
          "task.arith.max_value",
          ValueType.INT,
          999,
          Rule.atLeast(1),
          "Every intermediate result stays within [-max_value, max_value]; keeps numbers short"
              + " for a character-level model.");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(
          NAME,
          TRAIN_PATH,
          TEST_PATH,
          STEP_SEPARATOR,
          TRAIN_EXAMPLES,
          TEST_EXAMPLES,
          ARITH_MIN_STEPS,
          ARITH_MAX_STEPS,
          ARITH_START_MAX,
          ARITH_OPERAND_MAX,
          ARITH_MAX_VALUE);

  static TaskConfig from(ConfigValues v) {
    return new TaskConfig(
        v.get(NAME),
        v.optional(TRAIN_PATH),
        v.optional(TEST_PATH),
        v.get(STEP_SEPARATOR),
        v.get(TRAIN_EXAMPLES),
        v.get(TEST_EXAMPLES),
        new ArithSpec(
            v.get(ARITH_MIN_STEPS),
            v.get(ARITH_MAX_STEPS),
            v.get(ARITH_START_MAX),
            v.get(ARITH_OPERAND_MAX),
            v.get(ARITH_MAX_VALUE),
            EnumSet.allOf(ArithOp.class)));
  }

  /** Rules across keys, checked before {@link #from} builds the records. */
  static void validate(ConfigValues v, List<String> problems) {
    int minSteps = v.get(ARITH_MIN_STEPS);
    int maxSteps = v.get(ARITH_MAX_STEPS);
    if (maxSteps < minSteps) {
      problems.add(
          Problems.invalid(
              ARITH_MAX_STEPS, maxSteps, "be >= task.arith.min_steps (" + minSteps + ")"));
    }
    int startMax = v.get(ARITH_START_MAX);
    if (v.get(ARITH_MAX_VALUE) < startMax) {
      problems.add(
          Problems.invalid(
              ARITH_MAX_VALUE,
              v.get(ARITH_MAX_VALUE),
              "be >= task.arith.start_max (" + startMax + "), so start values are in range"));
    }
    TaskName name = v.get(NAME);
    if (name != TaskName.ARITH && v.optional(TRAIN_PATH).isEmpty()) {
      problems.add(
          "Missing value for task.train_path: must be set when task.name is "
              + ValueType.enumName(name));
    }
  }
}
