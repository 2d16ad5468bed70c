package dev.rlflow.training.loop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The loop of supervised training (SFT, PRM training): update after update, draws a batch of
 * examples in a seeded epoch-by-epoch order ({@link BatchOrder}), takes one optimizer step on it,
 * saves a checkpoint where the caller wants one, and reports the update as a {@link
 * TrainingMetric}. It stops after {@link Plan#updates} updates, or after the update during which
 * {@link Plan#maxSeconds} of training time ran out.
 */
public final class TrainingLoop {

  /**
   * What to train for.
   *
   * @param stage the stage named in the metrics, e.g. {@code sft}
   * @param updates updates at most, >= 1
   * @param batchSize examples per update, >= 1 (drawn across epochs when above the examples)
   * @param maxSeconds training time after which the update in progress is the last, > 0 (infinite:
   *     none)
   */
  public record Plan(String stage, int updates, int batchSize, double maxSeconds) {
    public Plan {
      Objects.requireNonNull(stage, "stage");
      if (updates < 1) {
        throw new IllegalArgumentException(
            "Invalid value " + updates + " for updates: must be >= 1");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException(
            "Invalid value " + batchSize + " for batchSize: must be >= 1");
      }
      if (!(maxSeconds > 0)) {
        throw new IllegalArgumentException(
            "Invalid value " + maxSeconds + " for maxSeconds: must be > 0");
      }
    }

    /** {@code updates} updates of {@code batchSize} examples, without a time limit. */
    public static Plan of(String stage, int updates, int batchSize) {
      return new Plan(stage, updates, batchSize, Double.POSITIVE_INFINITY);
    }
  }

  /** One optimizer step of a trainer on a batch. */
  @FunctionalInterface
  public interface Step<E> {
    UpdateOutcome apply(List<E> batch);
  }

  /** Where the caller saves a checkpoint after an update. */
  @FunctionalInterface
  public interface Checkpoint {
    /**
     * Saves a checkpoint after {@code update} if the caller wants one there.
     *
     * @param last whether it is the last update
     * @return the checkpoint written, or empty when none
     */
    String after(long update, boolean last) throws IOException;

    /** No checkpoints. */
    Checkpoint NONE = (update, last) -> "";
  }

  private final Plan plan;
  private final LongSupplier nanoTime;

  /** A loop following {@code plan}, timed by {@code nanoTime} (e.g. {@code System::nanoTime}). */
  public TrainingLoop(Plan plan, LongSupplier nanoTime) {
    this.plan = Objects.requireNonNull(plan, "plan");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /**
   * Trains on {@code examples}, drawn in the order of {@code seed}, by {@code step}; saves through
   * {@code checkpoint} and gives every update's metric to {@code report}.
   *
   * @return the last update's metric
   * @throws IllegalArgumentException when there are no examples
   */
  public <E> TrainingMetric run(
      List<E> examples,
      long seed,
      Step<E> step,
      Checkpoint checkpoint,
      Consumer<TrainingMetric> report)
      throws IOException {
    BatchOrder order = new BatchOrder(examples.size(), seed);
    long start = nanoTime.getAsLong();
    TrainingMetric metric = null;
    boolean last = false;
    for (int update = 1; !last; update++) {
      List<E> batch = new ArrayList<>(plan.batchSize());
      for (int i = 0; i < plan.batchSize(); i++) {
        batch.add(examples.get(order.next()));
      }
      UpdateOutcome outcome = step.apply(batch);
      double elapsed = (nanoTime.getAsLong() - start) / 1e9;
      last = update == plan.updates() || elapsed >= plan.maxSeconds();
      // Under a time limit, the updates it allows at the pace so far (for progress and ETA).
      long total =
          last
              ? update
              : Double.isInfinite(plan.maxSeconds())
                  ? plan.updates()
                  : Math.min(
                      plan.updates(), (long) Math.ceil(update * plan.maxSeconds() / elapsed));
      metric =
          new TrainingMetric(
              plan.stage(),
              update,
              total,
              outcome.loss(),
              outcome.lr(),
              outcome.gradNorm(),
              outcome.throughput(),
              outcome.skipped(),
              checkpoint.after(update, last));
      report.accept(metric);
    }
    return metric;
  }
}
