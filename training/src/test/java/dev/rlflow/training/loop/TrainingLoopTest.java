package dev.rlflow.training.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingLoopTest {

  /** A trainer's outcome whose loss is the batch's first example. */
  private record Outcome(
      double loss, double lr, double gradNorm, boolean skipped, double throughput)
      implements UpdateOutcome {}

  private static final List<Integer> EXAMPLES = List.of(10, 11, 12, 13, 14);

  @Test
  void drawsBatchesInTheSeededOrderAcrossEpochs() throws IOException {
    List<List<Integer>> batches = new ArrayList<>();
    List<TrainingMetric> metrics = new ArrayList<>();

    TrainingMetric last =
        new TrainingLoop(TrainingLoop.Plan.of("sft", 4, 3), () -> 0L)
            .run(
                EXAMPLES,
                7,
                batch -> {
                  batches.add(batch);
                  return new Outcome(batch.get(0), 0.1, 2, false, 100);
                },
                TrainingLoop.Checkpoint.NONE,
                metrics::add);

    BatchOrder order = new BatchOrder(EXAMPLES.size(), 7);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      expected.add(EXAMPLES.get(order.next()));
    }
    assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(expected);
    assertThat(metrics).hasSize(4).last().isEqualTo(last);
    assertThat(last)
        .isEqualTo(new TrainingMetric("sft", 4, 4, batches.get(3).get(0), 0.1, 2, 100, false, ""));
  }

  @Test
  void everyEpochIsAPermutation() {
    BatchOrder order = new BatchOrder(5, 3);
    for (int epoch = 0; epoch < 3; epoch++) {
      List<Integer> drawn = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        drawn.add(order.next());
      }
      assertThat(drawn).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }
  }

  @Test
  void checkpointsWhereTheCallerAsksAndReportsThem() throws IOException {
    List<TrainingMetric> metrics = new ArrayList<>();

    new TrainingLoop(TrainingLoop.Plan.of("sft", 5, 1), () -> 0L)
        .run(
            EXAMPLES,
            1,
            batch -> new Outcome(1, 0.1, 1, false, 1),
            (update, last) -> last ? "final" : update % 2 == 0 ? "step-" + update : "",
            metrics::add);

    assertThat(metrics.stream().map(TrainingMetric::checkpoint))
        .containsExactly("", "step-2", "", "step-4", "final");
  }

  @Test
  void aTimeLimitEndsWithTheUpdateInProgressAndEstimatesTheTotal() throws IOException {
    long[] now = {0};
    List<TrainingMetric> metrics = new ArrayList<>();

    new TrainingLoop(new TrainingLoop.Plan("control", Integer.MAX_VALUE, 2, 10.0), () -> now[0])
        .run(
            EXAMPLES,
            1,
            batch -> {
              now[0] += 4_000_000_000L; // 4 s an update
              return new Outcome(1, 0.1, 1, false, 1);
            },
            TrainingLoop.Checkpoint.NONE,
            metrics::add);

    // 4 s after update 1: ceil(1 x 10 / 4) = 3 updates fit; after update 3 (12 s) it stops.
    assertThat(metrics.stream().map(TrainingMetric::totalSteps)).containsExactly(3L, 3L, 3L);
    assertThat(metrics.get(2).step()).isEqualTo(3);
  }

  @Test
  void refusesAnEmptyTrainingSetAndABadPlan() {
    TrainingLoop loop = new TrainingLoop(TrainingLoop.Plan.of("sft", 1, 1), () -> 0L);
    assertThatThrownBy(
            () ->
                loop.run(
                    List.of(),
                    1,
                    batch -> new Outcome(1, 0.1, 1, false, 1),
                    TrainingLoop.Checkpoint.NONE,
                    m -> {}))
        .hasMessage("Nothing to train on: no examples");
    assertThatThrownBy(() -> TrainingLoop.Plan.of("sft", 0, 1))
        .hasMessage("Invalid value 0 for updates: must be >= 1");
  }
}
