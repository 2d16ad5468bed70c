package dev.rlflow.reward.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.tokenizer.CharTokenizer;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.reward.TinyModels;
import dev.rlflow.training.Autograd;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.schedule.LearningRateSchedule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The score of step t is read at the tag (newline) that ends step t, in training and in scoring
 * alike: not one position earlier, as a causal LM's next-token convention would have it.
 */
class StepPositionTest {
  static final CharTokenizer TOKENIZER = TinyModels.TOKENIZER;
  static final String QUESTION = "start 3, +4, *2";

  static TransformerModel prm(long seed) {
    return TinyModels.create(TransformerModel.Head.STEP_SCORE, seed);
  }

  @Test
  void tagsAreTheNewlinesEndingEachStep() {
    StepSequence s = StepSequence.encode(TOKENIZER, QUESTION, List.of("3 + 4 = 7", "7 * 2 = 14"));
    int newline = TOKENIZER.encode("\n")[0];
    int questionNewline = 1 + QUESTION.length(); // after bos and the question
    assertThat(s.tokens()[0]).isEqualTo(TOKENIZER.bosId());
    assertThat(s.firstStep()).isEqualTo(questionNewline + 1); // the first step's "3"
    // "3 + 4 = 7" (9 characters) and its newline, then "7 * 2 = 14" (10) and its newline.
    assertThat(s.tags()).containsExactly(questionNewline + 10, questionNewline + 10 + 11);
    for (int tag : s.tags()) {
      assertThat(s.tokens()[tag]).isEqualTo(newline);
    }
    assertThat(s.length()).isEqualTo(s.tags()[1] + 1);
  }

  @Test
  void scoringReadsTheHeadAtTheTagNotBeforeIt() {
    StepSequence s = StepSequence.encode(TOKENIZER, QUESTION, List.of("3 + 4 = 7", "7 * 2 = 14"));
    try (ProcessRewardModel prm = new ProcessRewardModel(prm(3), 8);
        NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      // Give the head a bias so that P(correct) differs clearly from position to position.
      double[] scores = prm.score(List.of(s))[0];
      float[] raw =
          Autograd.withoutGradients(
              () -> {
                int[] ids = s.tokens();
                long[] tokens = new long[ids.length];
                float[] valid = new float[ids.length];
                for (int i = 0; i < ids.length; i++) {
                  tokens[i] = ids[i];
                  valid[i] = 1;
                }
                Shape shape = new Shape(1, ids.length);
                NDArray logits =
                    prm.model()
                        .forward(
                            ModelInput.of(
                                manager.create(tokens, shape),
                                manager.create(valid, shape),
                                DataType.FLOAT32),
                            null,
                            false)
                        .output();
                return logits.softmax(-1).get("0, :, 1").toFloatArray(); // (T)
              });
      for (int t = 0; t < s.steps(); t++) {
        int tag = s.tags()[t];
        assertThat(scores[t]).as("step %d", t).isCloseTo(raw[tag], within(1e-6));
        assertThat(Math.abs(scores[t] - raw[tag - 1]))
            .as("step %d, one before", t)
            .isGreaterThan(1e-4);
      }
    }
  }

  @Test
  void aStepsScoreSeesItsStepAndNothingAfter() {
    try (ProcessRewardModel prm = new ProcessRewardModel(prm(5), 8)) {
      double[][] scores =
          prm.score(
              List.of(
                  StepSequence.encode(TOKENIZER, QUESTION, List.of("3 + 4 = 7", "7 * 2 = 14")),
                  StepSequence.encode(TOKENIZER, QUESTION, List.of("3 + 4 = 7", "7 * 2 = 15")),
                  StepSequence.encode(TOKENIZER, QUESTION, List.of("3 + 4 = 8", "7 * 2 = 14"))));
      assertThat(scores[1][0]).isCloseTo(scores[0][0], within(1e-6)); // later text: no effect
      assertThat(scores[1][1]).isNotCloseTo(scores[0][1], within(1e-6));
      assertThat(scores[2][0]).isNotCloseTo(scores[0][0], within(1e-6)); // its own step: effect
    }
  }

  /**
   * The trainer's loss is the cross-entropy of exactly the scores {@link ProcessRewardModel#score}
   * reads: training and scoring use the same positions. After training, the scores have moved to
   * the targets.
   */
  @Test
  void trainingAndScoringUseTheSamePositions() {
    List<PrmTrainingSet.Example> examples =
        List.of(
            new PrmTrainingSet.Example(
                StepSequence.encode(TOKENIZER, QUESTION, List.of("3 + 4 = 7", "7 * 2 = 14")),
                new int[] {0, 1},
                new double[] {1.0, 1.0}),
            new PrmTrainingSet.Example(
                StepSequence.encode(TOKENIZER, QUESTION, List.of("3 + 4 = 8", "8 * 2 = 16")),
                new int[] {0, 1},
                new double[] {0.0, 0.0}),
            new PrmTrainingSet.Example(
                StepSequence.encode(TOKENIZER, QUESTION, List.of("3 + 4 = 7", "7 * 2 = 15")),
                new int[] {1},
                new double[] {0.25}));
    PrmTrainer.Batch batch = PrmTrainer.Batch.pointwise(examples);
    try (ProcessRewardModel prm = new ProcessRewardModel(prm(7), 8);
        PrmTrainer trainer =
            new PrmTrainer(
                prm.model(),
                new PrmTrainer.Config(
                    new LearningRateSchedule.Constant(3e-3, 0),
                    AdamW.Hyperparameters.defaults(),
                    1.0,
                    3))) {
      assertThat(trainer.evaluateLoss(batch)).isCloseTo(bceOfScores(prm, examples), within(1e-5));
      double first = trainer.step(batch).loss();
      for (int i = 0; i < 80; i++) {
        trainer.step(batch);
      }
      double trained = trainer.evaluateLoss(batch);
      assertThat(trained).isCloseTo(bceOfScores(prm, examples), within(1e-5));
      assertThat(trained).isLessThan(first);
      double[][] scores =
          prm.score(examples.stream().map(PrmTrainingSet.Example::sequence).toList());
      assertThat(scores[0][0]).isGreaterThan(0.8);
      assertThat(scores[1][0]).isLessThan(0.2);
      assertThat(scores[2][1]).isBetween(0.05, 0.6);
    }
  }

  /** The mean binary cross-entropy of the scored steps' P(correct) against their targets. */
  private static double bceOfScores(ProcessRewardModel prm, List<PrmTrainingSet.Example> examples) {
    double[][] scores = prm.score(examples.stream().map(PrmTrainingSet.Example::sequence).toList());
    double sum = 0;
    int n = 0;
    for (int i = 0; i < examples.size(); i++) {
      PrmTrainingSet.Example e = examples.get(i);
      for (int k = 0; k < e.steps().length; k++) {
        double p = scores[i][e.steps()[k]];
        double y = e.targets()[k];
        sum += -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
        n++;
      }
    }
    return sum / n;
  }
}
