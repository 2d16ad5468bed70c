package dev.rlflow.reward.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import dev.rlflow.model.tokenizer.CharTokenizer;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.reward.TinyModels;
import dev.rlflow.rollout.TeacherForcedScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRewardModelTest {
  private static final CharTokenizer TOKENIZER = TinyModels.TOKENIZER;
  private static final String QUESTION = "start 3, +4, *2";
  private static final List<String> STEPS = List.of("3 + 4 = 7", "7 * 2 = 14");
  private static final ComputeTarget CPU = new ComputeTarget(Device.cpu(), DataType.FLOAT32);
  private static final ScoreStack STACK = new ScoreStack(0.5, 2, 1);
  private static final Provenance PROVENANCE = new Provenance("run-1", "0123abcd", 42, "0.1.0");

  private static ProcessRewardModel stacked() {
    return new ProcessRewardModel(
        TinyModels.create(TransformerModel.Head.STEP_SCORE, 17),
        TinyModels.create(TransformerModel.Head.LM, 23),
        STACK,
        8);
  }

  /**
   * The stacked score of each step is σ(0.5 · the head's margin + 2 · the smallest log-prob the
   * policy gives the steps' characters so far + 1), the log-probs read by prompting the policy as
   * it is prompted to answer: {@code [bos] question \n}, then the solution.
   */
  @Test
  void aStackedScoreCombinesTheHeadWithThePolicysConfidence() {
    StepSequence s = StepSequence.encode(TOKENIZER, QUESTION, STEPS);
    int[] question = TOKENIZER.encode(QUESTION + "\n");
    int[] prompt = new int[question.length + 1];
    prompt[0] = TOKENIZER.bosId();
    System.arraycopy(question, 0, prompt, 1, question.length);
    assertThat(s.firstStep()).isEqualTo(prompt.length);
    float[] logProbs;
    double[] margins;
    try (TransformerModel policy = TinyModels.create(TransformerModel.Head.LM, 23);
        ProcessRewardModel plain =
            new ProcessRewardModel(TinyModels.create(TransformerModel.Head.STEP_SCORE, 17), 8)) {
      logProbs =
          new TeacherForcedScorer(8)
              .logProbs(
                  policy,
                  List.of(prompt),
                  List.of(TOKENIZER.encode(STEPS.get(0) + "\n" + STEPS.get(1) + "\n")))[0];
      double[] p = plain.score(List.of(s))[0];
      margins = new double[] {Math.log(p[0] / (1 - p[0])), Math.log(p[1] / (1 - p[1]))};
    }
    // "3 + 4 = 7" is response tokens 0-8, its tag 9; "7 * 2 = 14" is 10-19, its tag 20.
    double first = 0;
    for (int j = 0; j <= 8; j++) {
      first = Math.min(first, logProbs[j]);
    }
    double second = first;
    for (int j = 10; j <= 19; j++) {
      second = Math.min(second, logProbs[j]);
    }
    try (ProcessRewardModel prm = stacked()) {
      ProcessRewardModel.StepFeatures features = prm.features(List.of(s));
      assertThat(features.confidences()[0][0]).isCloseTo(first, within(1e-6));
      assertThat(features.confidences()[0][1]).isCloseTo(second, within(1e-6));
      assertThat(features.margins()[0][0]).isCloseTo(margins[0], within(1e-4));
      double[] scores = prm.score(List.of(s))[0];
      assertThat(scores[0])
          .isCloseTo(ScoreStack.sigmoid(0.5 * margins[0] + 2 * first + 1), within(1e-5));
      assertThat(scores[1])
          .isCloseTo(ScoreStack.sigmoid(0.5 * margins[1] + 2 * second + 1), within(1e-5));
    }
  }

  @Test
  void aSavedPrmLoadsWithTheSameScores(@TempDir Path dir) throws Exception {
    StepSequence s = StepSequence.encode(TOKENIZER, QUESTION, STEPS);
    ProcessRewardModel.Metadata metadata =
        new ProcessRewardModel.Metadata(
            "soft", "scratch", 3, 0.25, ScoreStack.HEAD_ONLY, PROVENANCE);
    try (ProcessRewardModel prm =
        new ProcessRewardModel(TinyModels.create(TransformerModel.Head.STEP_SCORE, 17), 8)) {
      prm.save(dir, metadata);
      try (ProcessRewardModel loaded = ProcessRewardModel.load(dir, CPU, 8)) {
        assertThat(loaded.score(List.of(s))[0]).containsExactly(prm.score(List.of(s))[0]);
      }
    }
    assertThat(ProcessRewardModel.metadata(dir)).isEqualTo(metadata);
    assertThat(HfCheckpoint.readProvenance(dir)).contains(PROVENANCE);
    assertThat(dir.resolve(ProcessRewardModel.POLICY_DIR)).doesNotExist();
  }

  @Test
  void aSavedStackedPrmKeepsItsPolicy(@TempDir Path dir) throws Exception {
    StepSequence s = StepSequence.encode(TOKENIZER, QUESTION, STEPS);
    ProcessRewardModel.Metadata metadata =
        new ProcessRewardModel.Metadata("hard", "policy", 40, 0.4, STACK, PROVENANCE);
    try (ProcessRewardModel prm = stacked()) {
      prm.save(dir, metadata);
      try (ProcessRewardModel loaded = ProcessRewardModel.load(dir, CPU, 8)) {
        assertThat(loaded.stack()).isEqualTo(STACK);
        assertThat(loaded.score(List.of(s))[0]).containsExactly(prm.score(List.of(s))[0]);
      }
      assertThatThrownBy(
              () ->
                  prm.save(
                      dir,
                      new ProcessRewardModel.Metadata(
                          "hard", "policy", 40, 0.4, ScoreStack.HEAD_ONLY, PROVENANCE)))
          .hasMessageContaining("this PRM stacks by");
    }
    assertThat(dir.resolve(ProcessRewardModel.POLICY_DIR).resolve("config.json")).exists();
    assertThat(ProcessRewardModel.metadata(dir)).isEqualTo(metadata);
    assertThat(HfCheckpoint.readProvenance(dir)).contains(PROVENANCE);
    assertThat(HfCheckpoint.readProvenance(dir.resolve(ProcessRewardModel.POLICY_DIR)))
        .contains(PROVENANCE);
  }

  /** Checkpoints written before stacking have no "stack" in prm.json: they are the head alone. */
  @Test
  void metadataWithoutAStackIsTheHeadAlone(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve(ProcessRewardModel.METADATA_FILE),
        "{\"objective\":\"soft\",\"init\":\"policy\",\"trainLabels\":7,\"decisionThreshold\":0.3}");
    assertThat(ProcessRewardModel.metadata(dir).stack()).isEqualTo(ScoreStack.HEAD_ONLY);
    assertThat(ProcessRewardModel.metadata(dir).provenance()).isNull();
  }

  @Test
  void aStackThatWeighsConfidenceNeedsAPolicyWithAnLmHead() {
    try (TransformerModel model = TinyModels.create(TransformerModel.Head.STEP_SCORE, 1);
        TransformerModel critic = TinyModels.create(TransformerModel.Head.VALUE, 2)) {
      assertThatThrownBy(() -> new ProcessRewardModel(model, null, STACK, 8))
          .hasMessageContaining("no policy is given");
      assertThatThrownBy(() -> new ProcessRewardModel(model, critic, STACK, 8))
          .hasMessageContaining("needs an LM head, not VALUE");
    }
  }
}
