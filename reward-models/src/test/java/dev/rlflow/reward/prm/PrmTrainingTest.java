package dev.rlflow.reward.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlflow.core.config.PrmConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.reward.TinyModels;
import dev.rlflow.training.loop.TrainingMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrmTrainingTest {
  private static final String Q = StepPositionTest.QUESTION; // start 3, +4, *2

  private static ProcessLabel label(String qid, List<String> prefix, String step, double mc) {
    return new ProcessLabel(qid, Q, 1, 0, prefix, step, mc, 4);
  }

  private static PrmConfig prm(String yaml) {
    return RunConfigLoader.parse("prm: " + yaml, "test.yaml", Map.of()).prm();
  }

  /** Per question: a right first step, a wrong one, and the right second step. */
  private static List<ProcessLabel> labels(int questions) {
    List<ProcessLabel> labels = new ArrayList<>();
    for (int q = 0; q < questions; q++) {
      labels.add(label("q" + q, List.of(), "3 + 4 = 7", 0.75));
      labels.add(label("q" + q, List.of(), "3 + 4 = 8", 0.0));
      labels.add(label("q" + q, List.of("3 + 4 = 7"), "7 * 2 = 14", 1.0));
    }
    return labels;
  }

  @Test
  void splitKeepsEachQuestionOnOneSideAndSetsAsideWhatIsTooLong() {
    List<ProcessLabel> labels = new ArrayList<>(labels(40));
    labels.add(labels.get(0)); // a repeat: counted once
    PrmTraining training =
        new PrmTraining(prm("{held_out_fraction: 0.25}"), 42, TinyModels.TOKENIZER, true);
    int length =
        StepSequence.encode(TinyModels.TOKENIZER, Q, List.of("3 + 4 = 7", "7 * 2 = 14")).length();

    PrmTraining.Split split = training.split(labels, length - 1);

    assertThat(split.setAside()).hasSize(40); // the two-step paths
    assertThat(split.setAside().get(0).reason())
        .isEqualTo(
            "the question and steps take "
                + length
                + " tokens, more than policy.max_seq_len "
                + (length - 1));
    assertThat(split.distinct()).isEqualTo(80);
    assertThat(split.train().size() + split.heldOut().size()).isEqualTo(80);
    assertThat(split.heldOut()).isNotEmpty();
    assertThat(split.train()).isNotEmpty();
    for (ProcessLabel held : split.heldOut()) {
      assertThat(split.train()).noneMatch(t -> t.questionId().equals(held.questionId()));
      assertThat(PrmTraining.heldOut(held.questionId(), 42, 0.25)).isTrue();
    }
  }

  @Test
  void labelFitCountsAgreementWithLabelsAndGroundTruth() {
    List<ProcessLabel> labels =
        List.of(
            label("q", List.of(), "3 + 4 = 7", 0.75),
            label("q", List.of(), "3 + 4 = 8", 0.5), // MC says correct, the checker says not
            label("q", List.of("3 + 4 = 7"), "7 * 2 = 14", 1.0));

    LabelFit fit = LabelFit.of(labels, new double[] {0.9, 0.2, 0.4}, true, 0.5);

    assertThat(fit.labels()).isEqualTo(3);
    assertThat(fit.labelAccuracy()).isEqualTo(1.0 / 3);
    assertThat(fit.stepAccuracy()).isEqualTo(2.0 / 3);
    double bce =
        -(0.75 * Math.log(0.9) + 0.25 * Math.log(0.1))
            - (0.5 * Math.log(0.2) + 0.5 * Math.log(0.8))
            - Math.log(0.4);
    assertThat(fit.bce()).isCloseTo(bce / 3, within(1e-12));
    assertThat(LabelFit.of(List.of(), new double[0], true, 0.5).bce()).isNaN();
  }

  @Test
  void trainsForTheConfiguredUpdatesAndFitsTheHeadAlone() throws Exception {
    PrmConfig config =
        prm("{updates: 3, warmup_updates: 0, batch_size: 4, confidence: none, init: scratch}");
    PrmTraining training = new PrmTraining(config, 42, TinyModels.TOKENIZER, true);
    PrmTraining.Split split = training.split(labels(6), 96);
    List<TrainingMetric> metrics = new ArrayList<>();

    try (ProcessRewardModel initial =
        new ProcessRewardModel(TinyModels.create(TransformerModel.Head.STEP_SCORE, 5), 8)) {
      PrmTraining.Result result = training.train(initial, split, metrics::add);

      assertThat(metrics).extracting(TrainingMetric::step).containsExactly(1L, 2L, 3L);
      assertThat(metrics).allMatch(m -> m.stage().equals("prm-train") && m.totalSteps() == 3);
      assertThat(result.finalLoss()).isEqualTo(metrics.get(2).loss());
      assertThat(result.stack()).isEqualTo(ScoreStack.HEAD_ONLY);
      assertThat(result.stackFittedOn()).isNull();
      assertThat(result.train().labels()).isEqualTo(split.train().size());
      assertThat(result.heldOut().labels()).isEqualTo(split.heldOut().size());
    }
  }

  @Test
  void pairwiseNeedsSiblings() throws Exception {
    PrmTraining training =
        new PrmTraining(
            prm("{objective: pairwise, updates: 2, warmup_updates: 0, confidence: none}"),
            42,
            TinyModels.TOKENIZER,
            true);
    PrmTraining.Split split =
        new PrmTraining.Split(
            List.of(label("q", List.of(), "3 + 4 = 7", 1.0)), List.of(), List.of());

    try (ProcessRewardModel initial =
        new ProcessRewardModel(TinyModels.create(TransformerModel.Head.STEP_SCORE, 5), 8)) {
      assertThatThrownBy(() -> training.train(initial, split, m -> {}))
          .hasMessage(
              "No sibling groups (two labelled steps after one prefix) among 1 training labels"
                  + " for prm.objective pairwise");
    }
  }
}
