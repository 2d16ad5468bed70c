package dev.rlflow.reward.prm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.Autograd;
import dev.rlflow.training.NonFiniteGuard;
import dev.rlflow.training.TrainingDivergedException;
import dev.rlflow.training.loop.UpdateOutcome;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.optim.GuardedUpdate;
import dev.rlflow.training.schedule.LearningRateSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a process reward model (a transformer with the 2-way step-score head): each {@link #step}
 * is one AdamW update on one batch.
 *
 * <p>The model's margin r = logit(correct) − logit(incorrect) is read at the tag position of each
 * trained step, exactly where {@link ProcessRewardModel#score} reads P(correct) = σ(r). The
 * pointwise objectives minimise binary cross-entropy softplus(r) − y·r against the target y (the
 * Monte Carlo value, or 1 when it is above 0); the pairwise objective minimises the Bradley–Terry
 * cross-entropy softplus(d) − t·d of every pair of siblings, d = r_a − r_b, t = ½(1 + p − q)
 * ({@link PairwisePreference}). Losses are means over trained steps or pairs.
 *
 * <p>Gradients are clipped to a global norm, non-finite updates are skipped by the {@link
 * NonFiniteGuard}, and only one DJL gradient collector is open at a time. The caller owns the
 * model.
 */
public final class PrmTrainer implements AutoCloseable {

  /**
   * How the trainer updates.
   *
   * @param schedule learning rate per update
   * @param optimizer AdamW's constants
   * @param maxGradNorm global gradient norm to clip to, > 0
   * @param maxConsecutiveSkips non-finite updates in a row that end training, >= 1
   */
  public record Config(
      LearningRateSchedule schedule,
      AdamW.Hyperparameters optimizer,
      double maxGradNorm,
      int maxConsecutiveSkips) {
    public Config {
      Objects.requireNonNull(schedule, "schedule");
      Objects.requireNonNull(optimizer, "optimizer");
      GuardedUpdate.checkSettings(maxGradNorm, maxConsecutiveSkips);
    }
  }

  /**
   * The sequences of one update, the trained positions in them, and what is learnt there.
   *
   * @param sequences the sequences, run in one forward pass
   * @param rows for each trained point, its sequence
   * @param positions for each trained point, its tag position in that sequence
   * @param targets pointwise targets, one per point; empty for the pairwise objective
   * @param pairs pairs of point indices {a, b}; empty for the pointwise objectives
   * @param pairTargets the target P(a ≻ b) of each pair
   */
  public record Batch(
      List<StepSequence> sequences,
      int[] rows,
      int[] positions,
      double[] targets,
      int[][] pairs,
      double[] pairTargets) {

    /** The pointwise batch of {@code examples}. */
    public static Batch pointwise(List<PrmTrainingSet.Example> examples) {
      List<StepSequence> sequences = new ArrayList<>();
      List<int[]> points = new ArrayList<>();
      List<Double> targets = new ArrayList<>();
      for (PrmTrainingSet.Example e : examples) {
        int row = sequences.size();
        sequences.add(e.sequence());
        int[] tags = e.sequence().tags();
        for (int i = 0; i < e.steps().length; i++) {
          points.add(new int[] {row, tags[e.steps()[i]]});
          targets.add(e.targets()[i]);
        }
      }
      return new Batch(
          sequences,
          points.stream().mapToInt(p -> p[0]).toArray(),
          points.stream().mapToInt(p -> p[1]).toArray(),
          targets.stream().mapToDouble(Double::doubleValue).toArray(),
          new int[0][],
          new double[0]);
    }

    /** The pairwise batch of {@code groups}: every ordered-once pair of siblings in a group. */
    public static Batch pairwise(List<PrmTrainingSet.SiblingGroup> groups) {
      List<StepSequence> sequences = new ArrayList<>();
      List<int[]> pairs = new ArrayList<>();
      List<Double> pairTargets = new ArrayList<>();
      for (PrmTrainingSet.SiblingGroup g : groups) {
        int first = sequences.size();
        sequences.addAll(g.siblings());
        for (int a = 0; a < g.siblings().size(); a++) {
          for (int b = a + 1; b < g.siblings().size(); b++) {
            pairs.add(new int[] {first + a, first + b});
            pairTargets.add(PairwisePreference.target(g.values()[a], g.values()[b]));
          }
        }
      }
      int[] rows = new int[sequences.size()];
      int[] positions = new int[sequences.size()];
      for (int i = 0; i < sequences.size(); i++) {
        rows[i] = i;
        positions[i] = sequences.get(i).tags()[sequences.get(i).steps() - 1];
      }
      return new Batch(
          sequences,
          rows,
          positions,
          new double[0],
          pairs.toArray(new int[0][]),
          pairTargets.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Steps (pointwise) or pairs (pairwise) the loss averages over. */
    public int terms() {
      return pairs.length > 0 ? pairs.length : targets.length;
    }
  }

  /**
   * What one update did.
   *
   * @param step the update's index, from 0
   * @param loss the batch's mean loss before the update
   * @param gradNorm global gradient norm before clipping
   * @param lr the learning rate applied (or that would have been, when skipped)
   * @param terms trained steps or pairs
   * @param skipped true when the loss or norm was not finite and nothing was updated
   * @param seconds wall-clock time of the update
   */
  public record StepResult(
      long step,
      double loss,
      double gradNorm,
      double lr,
      int terms,
      boolean skipped,
      double seconds)
      implements UpdateOutcome {
    /** Steps or pairs trained per second. */
    @Override
    public double throughput() {
      return terms / Math.max(seconds, 1e-9);
    }
  }

  private final TransformerModel model;
  private final Config config;
  private final GuardedUpdate update;
  private long steps;

  /**
   * A trainer of {@code model}'s weights.
   *
   * @throws IllegalArgumentException if the model has no step-score head
   */
  public PrmTrainer(TransformerModel model, Config config) {
    if (model.head() != TransformerModel.Head.STEP_SCORE) {
      throw new IllegalArgumentException(
          "A PRM trains a model with a STEP_SCORE head, not " + model.head());
    }
    this.model = model;
    this.config = Objects.requireNonNull(config, "config");
    this.update =
        new GuardedUpdate(
            model.manager(),
            config.optimizer(),
            config.maxGradNorm(),
            config.maxConsecutiveSkips());
  }

  /**
   * Runs one update over {@code batch}.
   *
   * @throws IllegalArgumentException if the batch trains nothing or a sequence does not fit
   * @throws TrainingDivergedException after the configured number of non-finite updates in a row
   */
  public StepResult step(Batch batch) {
    if (batch.terms() == 0) {
      throw new IllegalArgumentException("A PRM update needs at least one trained step or pair");
    }
    checkSequences(batch.sequences());
    long start = System.nanoTime();
    long step = steps;
    double lr = config.schedule().lr(step);
    Map<String, NDArray> params = model.weights();
    try (NDManager scope = model.manager().newSubManager()) {
      double loss = Double.NaN;
      double gradNorm = Double.NaN;
      boolean applied = false;
      try {
        try (GradientCollector collector = Autograd.collector()) {
          NDArray lossArray = loss(batch, scope, true);
          collector.backward(lossArray);
          loss = lossArray.getFloat();
        }
        GuardedUpdate.Outcome outcome = update.apply(params, step, loss, lr, scope);
        gradNorm = outcome.gradNorm();
        applied = outcome.applied();
      } finally {
        AdamW.zeroGradients(params.values());
      }
      steps++;
      return new StepResult(
          step, loss, gradNorm, lr, batch.terms(), !applied, (System.nanoTime() - start) / 1e9);
    }
  }

  /** The batch's mean loss under the current weights, without recording gradients. */
  public double evaluateLoss(Batch batch) {
    checkSequences(batch.sequences());
    return Autograd.withoutGradients(
        () -> {
          try (NDManager scope = model.manager().newSubManager()) {
            return (double) loss(batch, scope, false).getFloat();
          }
        });
  }

  /** Updates attempted so far, skipped ones included. */
  public long steps() {
    return steps;
  }

  /** Updates skipped because their loss or gradient norm was not finite. */
  public long skippedSteps() {
    return update.skippedSteps();
  }

  /** Frees the optimizer's moments; the model stays open. */
  @Override
  public void close() {
    update.close();
  }

  /** The batch's mean loss, a scalar in {@code scope}. */
  private NDArray loss(Batch batch, NDManager scope, boolean training) {
    List<StepSequence> sequences = batch.sequences();
    int rows = sequences.size();
    int width = sequences.stream().mapToInt(StepSequence::length).max().orElseThrow();
    long[] tokens = new long[rows * width];
    float[] valid = new float[rows * width];
    for (int b = 0; b < rows; b++) {
      int[] ids = sequences.get(b).tokens();
      for (int t = 0; t < ids.length; t++) {
        tokens[b * width + t] = ids[t];
        valid[b * width + t] = 1f;
      }
    }
    long[] flat = new long[batch.rows().length];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (long) batch.rows()[i] * width + batch.positions()[i];
    }
    Shape shape = new Shape(rows, width);
    ModelInput input =
        ModelInput.of(scope.create(tokens, shape), scope.create(valid, shape), model.dtype());
    NDArray logits = model.forward(input, null, training).output(); // (B, T, 2)
    NDArray atTags =
        logits
            .toType(DataType.FLOAT32, false)
            .reshape((long) rows * width, 2)
            .get(Autograd.owned(scope.create(flat))); // (K, 2)
    NDArray margin = atTags.get(":, 1").sub(atTags.get(":, 0")); // (K)
    if (batch.pairs().length == 0) {
      return bce(margin, Autograd.owned(scope.create(toFloats(batch.targets()))), scope).mean();
    }
    long[] a = new long[batch.pairs().length];
    long[] b = new long[batch.pairs().length];
    for (int i = 0; i < a.length; i++) {
      a[i] = batch.pairs()[i][0];
      b[i] = batch.pairs()[i][1];
    }
    NDArray d =
        margin
            .get(Autograd.owned(scope.create(a)))
            .sub(margin.get(Autograd.owned(scope.create(b))));
    return bce(d, Autograd.owned(scope.create(toFloats(batch.pairTargets()))), scope).mean();
  }

  /**
   * softplus(x) − y·x, the cross-entropy of σ(x) against y, computed stably as relu(x) + log(1 +
   * e^−|x|) − y·x. The constant 1 is a tensor libtorch owns: a Java number operand would be wrapped
   * over Java memory that backward may outlive (see SftTrainer).
   */
  private static NDArray bce(NDArray x, NDArray y, NDManager scope) {
    NDArray one = scope.full(new Shape(), 1f);
    NDArray softplus = Activation.relu(x).add(x.abs().neg().exp().add(one).log());
    return softplus.sub(x.mul(y));
  }

  private static float[] toFloats(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }

  private void checkSequences(List<StepSequence> sequences) {
    if (sequences.isEmpty()) {
      throw new IllegalArgumentException("A PRM batch needs at least one sequence");
    }
    for (int i = 0; i < sequences.size(); i++) {
      StepSequence s = sequences.get(i);
      if (s.length() > model.config().maxSeqLen()) {
        throw new IllegalArgumentException(
            "Sequence "
                + i
                + " has "
                + s.length()
                + " tokens, more than the model's maxSeqLen "
                + model.config().maxSeqLen());
      }
    }
  }
}
