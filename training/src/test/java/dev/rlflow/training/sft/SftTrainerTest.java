package dev.rlflow.training.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.core.task.arith.ArithGenerator;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.ArithSpec;
import dev.rlflow.core.task.arith.ArithSplit;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.CharTokenizer;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.TrainingDivergedException;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.schedule.LearningRateSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SFT on arith solutions with a tiny model (hidden 32, 2 layers) and the char tokenizer. */
class SftTrainerTest {
  private static final CharTokenizer TOKENIZER = new CharTokenizer();
  private static final ModelConfig CONFIG =
      new ModelConfig(
          PolicyConfig.Architecture.LLAMA,
          TOKENIZER.vocabSize(),
          32,
          2,
          4,
          2,
          64,
          128,
          10_000,
          1e-5,
          true);

  @BeforeAll
  static void loadEngine() {
    Engine.getInstance();
  }

  @Test
  void lossFallsBelowAFifthOfItsStartOnAFixedSet() {
    List<SftExample> examples = arith(16, 3);
    SftTrainer.Config config =
        new SftTrainer.Config(
            new LearningRateSchedule.Cosine(1e-2, 10, 150, 0.1),
            AdamW.Hyperparameters.defaults(),
            1.0,
            1,
            3);
    try (TransformerModel model = newModel();
        SftTrainer trainer = new SftTrainer(model, config, TOKENIZER.padId())) {
      double before = trainer.evaluateLoss(examples);
      List<SftTrainer.StepResult> results = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        results.add(trainer.step(examples));
      }
      SftTrainer.StepResult first = results.get(0);
      SftTrainer.StepResult last = results.get(results.size() - 1);
      double after = trainer.evaluateLoss(examples);
      double seconds = results.stream().mapToDouble(SftTrainer.StepResult::seconds).sum();

      assertThat(first.loss()).as("first loss ~ ln(58)").isCloseTo(before, within(1e-5));
      assertThat(first.loss()).isGreaterThan(3.5);
      assertThat(first.step()).isZero();
      assertThat(first.lr()).isCloseTo(1e-3, within(1e-12));
      assertThat(first.tokens()).isEqualTo(tokens(examples));
      assertThat(last.step()).isEqualTo(149);
      assertThat(after)
          .as(
              "loss after 150 updates (from %s, %.1f s, %d skipped)",
              before, seconds, trainer.skippedSteps())
          .isLessThan(0.2 * before);
      assertThat(trainer.steps()).isEqualTo(150);
      assertThat(trainer.optimizer().steps()).isEqualTo(150 - trainer.skippedSteps());
    }
  }

  @Test
  void gradientAccumulationOverMicroBatchesMatchesOneBatch() {
    List<SftExample> examples = arith(8, 11);
    try (TransformerModel whole = newModel();
        TransformerModel split = newModel();
        SftTrainer one = new SftTrainer(whole, accumulation(1), TOKENIZER.padId());
        SftTrainer four = new SftTrainer(split, accumulation(4), TOKENIZER.padId())) {
      SftTrainer.StepResult a = one.step(examples);
      SftTrainer.StepResult b = four.step(examples);

      assertThat(a.skipped() || b.skipped()).as("non-finite gradients: %s, %s", a, b).isFalse();
      assertThat(b.loss()).isCloseTo(a.loss(), within(1e-5));
      assertThat(b.gradNorm()).isCloseTo(a.gradNorm(), within(1e-5 * a.gradNorm()));
      assertThat(b.tokens()).isEqualTo(a.tokens());
      Map<String, NDArray> expected = whole.weights();
      try (TransformerModel initial = newModel()) {
        float[] before = initial.weights().get("model.embed_tokens.weight").toFloatArray();
        float[] after = expected.get("model.embed_tokens.weight").toFloatArray();
        double moved = 0;
        for (int i = 0; i < before.length; i++) {
          moved = Math.max(moved, Math.abs(after[i] - before[i]));
        }
        assertThat(moved)
            .as("the update moves weights by ~lr, far above the tolerance")
            .isGreaterThan(5e-4);
      }
      split
          .weights()
          .forEach(
              (name, w) -> {
                float[] got = w.toFloatArray();
                float[] want = expected.get(name).toFloatArray();
                for (int i = 0; i < got.length; i++) {
                  assertThat(got[i]).as("%s[%d]", name, i).isCloseTo(want[i], within(1e-5f));
                }
              });
    }
  }

  @Test
  void microBatchesGroupExamplesOfSimilarLength() {
    List<SftExample> examples = arith(7, 5);
    List<List<SftExample>> parts = SftTrainer.split(examples, 3);

    assertThat(parts).extracting(List::size).containsExactly(3, 2, 2);
    List<SftExample> joined = parts.stream().flatMap(List::stream).toList();
    assertThat(joined).containsExactlyInAnyOrderElementsOf(examples);
    assertThat(joined)
        .extracting(SftExample::length)
        .as("each part pads only to its own longest example")
        .isSorted();
    assertThat(joined.get(0).length())
        .as("the arith examples differ in length")
        .isLessThan(joined.get(6).length());
    assertThat(SftTrainer.split(examples, 1)).containsExactly(examples);
  }

  @Test
  void nanWeightSkipsUpdatesThenThrows() {
    List<SftExample> examples = arith(4, 5);
    SftTrainer.Config config =
        new SftTrainer.Config(
            new LearningRateSchedule.Constant(1e-3, 0),
            AdamW.Hyperparameters.defaults(),
            1.0,
            2,
            3);
    try (TransformerModel model = newModel();
        SftTrainer trainer = new SftTrainer(model, config, TOKENIZER.padId())) {
      model.weights().get("model.norm.weight").set(new NDIndex("0"), Float.NaN);
      NDArray embedding = model.weights().get("model.embed_tokens.weight");
      float[] before = embedding.toFloatArray();

      SftTrainer.StepResult first = trainer.step(examples);
      SftTrainer.StepResult second = trainer.step(examples);

      assertThat(first.skipped()).isTrue();
      assertThat(first.loss()).isNaN();
      assertThat(second.skipped()).isTrue();
      assertThat(embedding.toFloatArray()).as("no update while skipping").containsExactly(before);
      assertThat(trainer.optimizer().steps()).isZero();
      assertThat(trainer.skippedSteps()).isEqualTo(2);
      assertThatThrownBy(() -> trainer.step(examples))
          .isInstanceOf(TrainingDivergedException.class)
          .hasMessage(
              "Training diverged: loss NaN, gradient norm NaN at step 2 after 3 consecutive"
                  + " skipped steps");
      for (NDArray w : model.weights().values()) {
        assertThat(w.getGradient().toFloatArray()).as("gradients zeroed").containsOnly(0f);
      }
    }
  }

  @Test
  void stepsLeaveNoArraysBehind() {
    List<SftExample> examples = arith(4, 13);
    try (TransformerModel model = newModel();
        SftTrainer trainer = new SftTrainer(model, accumulation(2), TOKENIZER.padId())) {
      trainer.step(examples);
      int afterFirst = model.manager().getManagedArrays().size();
      trainer.step(examples);
      trainer.step(examples);
      trainer.evaluateLoss(examples);

      assertThat(afterFirst)
          .as("weights and two moments each")
          .isEqualTo(3 * model.weights().size());
      assertThat(model.manager().getManagedArrays()).hasSize(afterFirst);
    }
  }

  @Test
  void refusesToStepWhileAnotherGradientCollectorIsOpen() {
    List<SftExample> examples = arith(2, 7);
    try (TransformerModel model = newModel();
        SftTrainer trainer = new SftTrainer(model, accumulation(1), TOKENIZER.padId())) {
      boolean gradMode = JniUtils.isGradMode();
      try (GradientCollector other = Engine.getInstance().newGradientCollector()) {
        assertThatThrownBy(() -> trainer.step(examples))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("train one model at a time");
      }
      assertThat(JniUtils.isGradMode()).isEqualTo(gradMode);
      assertThat(trainer.step(examples).skipped()).isFalse();
    }
  }

  @Test
  void evaluationRecordsNoGradientAndRestoresGradMode() {
    List<SftExample> examples = arith(2, 9);
    try (TransformerModel model = newModel();
        SftTrainer trainer = new SftTrainer(model, accumulation(1), TOKENIZER.padId())) {
      JniUtils.setGradMode(true);
      try {
        double loss = trainer.evaluateLoss(examples);

        assertThat(loss).isFinite();
        assertThat(JniUtils.isGradMode()).isTrue();
      } finally {
        JniUtils.setGradMode(false);
      }
    }
  }

  @Test
  void rejectsTooLongExamplesAndOtherHeads() {
    int[] longPrompt = new int[CONFIG.maxSeqLen() + 1];
    longPrompt[0] = TOKENIZER.bosId();
    List<SftExample> tooLong = List.of(new SftExample(longPrompt, new int[] {2}));
    try (TransformerModel model = newModel();
        SftTrainer trainer = new SftTrainer(model, accumulation(1), TOKENIZER.padId())) {
      assertThatThrownBy(() -> trainer.step(tooLong))
          .hasMessage("Example 0 has 129 input tokens, more than the model's maxSeqLen 128");
    }
    try (TransformerModel critic =
        TransformerModel.create(
            CONFIG, TransformerModel.Head.VALUE, DataType.FLOAT32, Device.cpu(), 1)) {
      assertThatThrownBy(() -> new SftTrainer(critic, accumulation(1), 0))
          .hasMessage("SFT trains a model with an LM head, not VALUE");
    }
    assertThatThrownBy(
            () ->
                new SftTrainer.Config(
                    new LearningRateSchedule.Constant(1e-3, 0),
                    AdamW.Hyperparameters.defaults(),
                    1.0,
                    0,
                    3))
        .hasMessage("Invalid value 0 for microBatches: must be >= 1");
  }

  private static SftTrainer.Config accumulation(int microBatches) {
    return new SftTrainer.Config(
        new LearningRateSchedule.Constant(1e-3, 0),
        AdamW.Hyperparameters.defaults(),
        1.0,
        microBatches,
        3);
  }

  private static TransformerModel newModel() {
    return TransformerModel.create(
        CONFIG, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 42);
  }

  /** {@code count} arith problems as (bos question newline, solution eos) examples. */
  private static List<SftExample> arith(int count, long seed) {
    List<SftExample> examples = new ArrayList<>();
    for (ArithProblem p :
        new ArithGenerator(ArithSpec.defaults(), ArithSplit.TRAIN, seed).generate(count)) {
      examples.add(SftExample.encode(TOKENIZER, p.question() + "\n", p.referenceSolution()));
    }
    return examples;
  }

  private static long tokens(List<SftExample> examples) {
    return examples.stream().mapToLong(SftExample::responseLength).sum();
  }
}
