package dev.rlflow.reward.prm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.PrmConfig.Objective;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.schedule.LearningRateSchedule;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrmTrainingSetTest {
  private static final String Q = StepPositionTest.QUESTION;

  private static ProcessLabel label(
      String qid, List<String> prefix, String step, double mc, int n) {
    return new ProcessLabel(qid, Q, 1, 0, prefix, step, mc, n);
  }

  /** Question 1: a → b → c (correct path), a → x (wrong). Question 2: a alone. */
  private static final List<ProcessLabel> LABELS =
      List.of(
          label("q1", List.of(), "a", 0.5, 8),
          label("q1", List.of("a"), "b", 1.0, 4),
          label("q1", List.of("a", "b"), "c", 1.0, 4),
          label("q1", List.of(), "a", 0.5, 12), // a duplicate over more rollouts: kept
          label("q1", List.of("a"), "x", 0.0, 4),
          label("q2", List.of(), "a", 0.25, 8));

  @Test
  void distinctKeepsOneLabelPerQuestionAndPathWithTheMostRollouts() {
    List<ProcessLabel> distinct = PrmTrainingSet.distinct(LABELS);
    assertThat(distinct).hasSize(5);
    assertThat(distinct.get(0).rollouts()).isEqualTo(12);
    assertThat(distinct)
        .extracting(ProcessLabel::questionId)
        .containsExactly("q1", "q1", "q1", "q1", "q2");
  }

  @Test
  void pointwisePacksEachLabelIntoOneMaximalPath() {
    List<PrmTrainingSet.Example> soft =
        PrmTrainingSet.pointwise(LABELS, Objective.SOFT, StepPositionTest.TOKENIZER);
    // Leaves: q1 a/b/c (labels a, b, c), q1 a/x (label x only: a is taken), q2 a.
    assertThat(soft).hasSize(3);
    assertThat(soft.get(0).sequence())
        .isEqualTo(StepSequence.encode(StepPositionTest.TOKENIZER, Q, List.of("a", "b", "c")));
    assertThat(soft.get(0).steps()).containsExactly(0, 1, 2);
    assertThat(soft.get(0).targets()).containsExactly(0.5, 1.0, 1.0);
    assertThat(soft.get(1).steps()).containsExactly(1);
    assertThat(soft.get(1).targets()).containsExactly(0.0);
    assertThat(soft.get(2).targets()).containsExactly(0.25);
    List<PrmTrainingSet.Example> hard =
        PrmTrainingSet.pointwise(LABELS, Objective.HARD, StepPositionTest.TOKENIZER);
    assertThat(hard.get(0).targets()).containsExactly(1.0, 1.0, 1.0);
    assertThat(hard.get(2).targets()).containsExactly(1.0);
  }

  @Test
  void pairwiseGroupsSiblingsAfterTheSamePrefix() {
    List<PrmTrainingSet.SiblingGroup> groups =
        PrmTrainingSet.pairwise(LABELS, StepPositionTest.TOKENIZER);
    assertThat(groups).hasSize(1); // b and x after q1's a; other nodes have one child
    assertThat(groups.get(0).values()).containsExactly(1.0, 0.0);
    PrmTrainer.Batch batch = PrmTrainer.Batch.pairwise(groups);
    assertThat(batch.pairs()).isDeepEqualTo(new int[][] {{0, 1}});
    assertThat(batch.pairTargets()).containsExactly(1.0);
    assertThat(batch.positions()[0]).isEqualTo(groups.get(0).siblings().get(0).tags()[1]);
  }

  @Test
  void pairwiseTrainingRanksTheBetterSiblingHigher() {
    List<PrmTrainingSet.SiblingGroup> groups =
        PrmTrainingSet.pairwise(
            List.of(
                label("q", List.of("3 + 4 = 7"), "7 * 2 = 14", 1.0, 8),
                label("q", List.of("3 + 4 = 7"), "7 * 2 = 15", 0.0, 8),
                label("q", List.of("3 + 4 = 7"), "7 * 2 = 12", 0.25, 8)),
            StepPositionTest.TOKENIZER);
    PrmTrainer.Batch batch = PrmTrainer.Batch.pairwise(groups);
    assertThat(batch.pairs()).hasNumberOfRows(3);
    try (ProcessRewardModel prm = new ProcessRewardModel(StepPositionTest.prm(11), 8);
        PrmTrainer trainer =
            new PrmTrainer(
                prm.model(),
                new PrmTrainer.Config(
                    new LearningRateSchedule.Constant(3e-3, 0),
                    AdamW.Hyperparameters.defaults(),
                    1.0,
                    3))) {
      double first = trainer.step(batch).loss();
      for (int i = 0; i < 60; i++) {
        trainer.step(batch);
      }
      assertThat(trainer.evaluateLoss(batch)).isLessThan(first);
      double[][] s = prm.score(groups.get(0).siblings());
      double best = s[0][1];
      double worst = s[1][1];
      double middle = s[2][1];
      assertThat(best).isGreaterThan(middle);
      assertThat(middle).isGreaterThan(worst);
    }
  }
}
