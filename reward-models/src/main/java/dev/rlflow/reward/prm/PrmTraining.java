package dev.rlflow.reward.prm;

import dev.rlflow.core.config.PrmConfig;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.training.loop.TrainingLoop;
import dev.rlflow.training.loop.TrainingMetric;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.schedule.LearningRateSchedule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The recipe of {@code prm-train} (ALGORITHMS.md §2): keeps {@code prm.held_out_fraction} of the
 * questions apart, trains the PRM on the rest with the configured objective for {@code prm.updates}
 * updates in a {@link TrainingLoop}, fits the score stack with the policy's confidence ({@code
 * prm.confidence}) on the held-out labels and the {@link DecisionThreshold} on the training labels,
 * and scores both sets ({@link LabelFit}).
 *
 * <p>Call {@link #split} and then {@link #train}: in between, the caller sets aside what the split
 * refused and decides whether there is anything to train on.
 */
public final class PrmTraining {
  /** Labels a score stack is fitted on, at the least: three numbers need a few dozen. */
  public static final int MIN_STACK_LABELS = 50;

  private static final String STAGE = "prm-train";

  /** A label left out of training, and why. */
  public record SetAside(ProcessLabel label, String reason) {}

  /**
   * The distinct labels, split by question.
   *
   * @param train labels of the training questions
   * @param heldOut labels of the held-out questions
   * @param setAside distinct labels too long for the model, in label order
   */
  public record Split(
      List<ProcessLabel> train, List<ProcessLabel> heldOut, List<SetAside> setAside) {
    public Split {
      train = List.copyOf(train);
      heldOut = List.copyOf(heldOut);
      setAside = List.copyOf(setAside);
    }

    /** Distinct labels that fit the model (train and held out). */
    public int distinct() {
      return train.size() + heldOut.size();
    }
  }

  /**
   * The trained PRM and how well it fits.
   *
   * @param prm the PRM under its fitted stack; it holds the models of the PRM given to {@link
   *     #train}
   * @param finalLoss the last update's loss
   * @param decisionThreshold the score above which a step is called correct, fitted on the training
   *     labels
   * @param stackFittedOn held_out, train, or null for the head alone
   * @param heldOut fit on the held-out labels
   * @param train fit on the training labels
   * @param heldOutHeadOnly fit on the held-out labels of the head alone, with its own threshold
   */
  public record Result(
      ProcessRewardModel prm,
      double finalLoss,
      double decisionThreshold,
      String stackFittedOn,
      LabelFit heldOut,
      LabelFit train,
      LabelFit heldOutHeadOnly) {
    /** How the PRM's stack makes P(correct). */
    public ScoreStack stack() {
      return prm.stack();
    }
  }

  private final PrmConfig prm;
  private final long seed;
  private final Tokenizer tokenizer;
  private final boolean arithTruth;

  /**
   * The recipe of {@code prm} with the run's {@code seed} (the split, the batch order), reading
   * labels with {@code tokenizer}; {@code arithTruth}: the labels are of the arith task, whose step
   * checker gives the ground truth that {@link LabelFit#stepAccuracy} measures against.
   */
  public PrmTraining(PrmConfig prm, long seed, Tokenizer tokenizer, boolean arithTruth) {
    this.prm = Objects.requireNonNull(prm, "prm");
    this.seed = seed;
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.arithTruth = arithTruth;
  }

  /**
   * The distinct labels ({@link PrmTrainingSet#distinct}) split into training and held-out
   * questions, those longer than {@code maxSeqLen} tokens set aside.
   */
  public Split split(List<ProcessLabel> labels, int maxSeqLen) {
    List<SetAside> setAside = new ArrayList<>();
    List<ProcessLabel> train = new ArrayList<>();
    List<ProcessLabel> heldOut = new ArrayList<>();
    for (ProcessLabel label : PrmTrainingSet.distinct(labels)) {
      int length =
          StepSequence.encode(tokenizer, label.question(), PrmTrainingSet.path(label)).length();
      if (length > maxSeqLen) {
        setAside.add(
            new SetAside(
                label,
                "the question and steps take "
                    + length
                    + " tokens, more than policy.max_seq_len "
                    + maxSeqLen));
      } else {
        (heldOut(label.questionId(), seed, prm.heldOutFraction()) ? heldOut : train).add(label);
      }
    }
    return new Split(train, heldOut, setAside);
  }

  /**
   * Trains {@code initial}'s model on the training labels, giving every update's metric to {@code
   * report}, then fits the stack and threshold and scores both sets.
   *
   * @throws IllegalArgumentException when the training labels make no example of the objective, or
   *     are too few to fit the stack on; raised before any update, so that bad input costs no
   *     training time
   */
  public Result train(ProcessRewardModel initial, Split split, Consumer<TrainingMetric> report)
      throws IOException {
    List<ProcessLabel> train = split.train();
    List<ProcessLabel> heldOut = split.heldOut();
    if (prm.confidence() == PrmConfig.Confidence.POLICY
        && heldOut.size() < MIN_STACK_LABELS
        && train.size() < MIN_STACK_LABELS) {
      throw new IllegalArgumentException(
          "Too few labels to fit the score stack on: "
              + (heldOut.size() + train.size())
              + ", fewer than "
              + MIN_STACK_LABELS
              + " held out or trained on; set prm.confidence: none or collect more labels");
    }
    double finalLoss;
    try (PrmTrainer trainer = new PrmTrainer(initial.model(), trainerConfig())) {
      finalLoss = fitWeights(train, trainer, report).loss();
    }
    boolean[] trainCorrect = new boolean[train.size()];
    for (int i = 0; i < trainCorrect.length; i++) {
      trainCorrect[i] = train.get(i).correct();
    }
    double[][] trainFeatures = lastStepFeatures(initial, train);
    double[][] heldOutFeatures = lastStepFeatures(initial, heldOut);
    double[] headTrain = probabilities(ScoreStack.HEAD_ONLY, trainFeatures);
    LabelFit heldOutHeadOnly =
        LabelFit.of(
            heldOut,
            probabilities(ScoreStack.HEAD_ONLY, heldOutFeatures),
            arithTruth,
            DecisionThreshold.fit(headTrain, trainCorrect, 0.5));
    FittedStack fitted =
        prm.confidence() == PrmConfig.Confidence.POLICY
            ? fitStack(heldOut, heldOutFeatures, train, trainFeatures)
            : new FittedStack(ScoreStack.HEAD_ONLY, null);
    ScoreStack stack = fitted.stack();
    double[] trainScores = probabilities(stack, trainFeatures);
    double threshold = DecisionThreshold.fit(trainScores, trainCorrect, 0.5);
    return new Result(
        initial.withStack(stack),
        finalLoss,
        threshold,
        fitted.on(),
        LabelFit.of(heldOut, probabilities(stack, heldOutFeatures), arithTruth, threshold),
        LabelFit.of(train, trainScores, arithTruth, threshold),
        heldOutHeadOnly);
  }

  /** The training loop over the objective's examples; returns the last update's metric. */
  private TrainingMetric fitWeights(
      List<ProcessLabel> train, PrmTrainer trainer, Consumer<TrainingMetric> report)
      throws IOException {
    if (prm.objective() == PrmConfig.Objective.PAIRWISE) {
      return loop(
          PrmTrainingSet.pairwise(train, tokenizer),
          "sibling groups (two labelled steps after one prefix)",
          train.size(),
          groups -> trainer.step(PrmTrainer.Batch.pairwise(groups)),
          report);
    }
    return loop(
        PrmTrainingSet.pointwise(train, prm.objective(), tokenizer),
        "examples",
        train.size(),
        examples -> trainer.step(PrmTrainer.Batch.pointwise(examples)),
        report);
  }

  private <E> TrainingMetric loop(
      List<E> items,
      String what,
      int labels,
      TrainingLoop.Step<E> step,
      Consumer<TrainingMetric> report)
      throws IOException {
    if (items.isEmpty()) {
      throw new IllegalArgumentException(
          "No "
              + what
              + " among "
              + labels
              + " training labels for prm.objective "
              + prm.objective().name().toLowerCase(Locale.ROOT));
    }
    TrainingLoop.Plan plan =
        TrainingLoop.Plan.of(STAGE, prm.updates(), Math.min(prm.batchSize(), items.size()));
    return new TrainingLoop(plan, System::nanoTime)
        .run(items, seed, step, TrainingLoop.Checkpoint.NONE, report);
  }

  /** {margin, confidence} of each label's own step (the last of its path). */
  private double[][] lastStepFeatures(ProcessRewardModel scorer, List<ProcessLabel> labels) {
    List<StepSequence> sequences = new ArrayList<>(labels.size());
    for (ProcessLabel label : labels) {
      sequences.add(StepSequence.encode(tokenizer, label.question(), PrmTrainingSet.path(label)));
    }
    ProcessRewardModel.StepFeatures features = scorer.features(sequences);
    double[][] last = new double[features.margins().length][];
    for (int i = 0; i < last.length; i++) {
      int t = features.margins()[i].length - 1;
      last[i] = new double[] {features.margins()[i][t], features.confidences()[i][t]};
    }
    return last;
  }

  private static double[] probabilities(ScoreStack stack, double[][] features) {
    double[] p = new double[features.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = stack.probability(features[i][0], features[i][1]);
    }
    return p;
  }

  /** A fitted score stack and the labels it was fitted on: held_out, train, or null (none). */
  private record FittedStack(ScoreStack stack, String on) {}

  /**
   * The score stack, fitted to the correctness (MC > 0) of the held-out questions' labels — the
   * head's predictions there are ones it was not trained on, as stacking needs (Wolpert 1992): on
   * its own training labels the head looks far better than on new solutions, where alone it is near
   * chance — or of the training labels when fewer than {@link #MIN_STACK_LABELS} are held out
   * ({@link #train} has checked that one of the two has enough).
   */
  private static FittedStack fitStack(
      List<ProcessLabel> heldOut,
      double[][] heldOutFeatures,
      List<ProcessLabel> train,
      double[][] trainFeatures) {
    return heldOut.size() >= MIN_STACK_LABELS
        ? new FittedStack(stack(heldOut, heldOutFeatures), "held_out")
        : new FittedStack(stack(train, trainFeatures), "train");
  }

  private static ScoreStack stack(List<ProcessLabel> labels, double[][] features) {
    double[] correct = new double[labels.size()];
    double[] margins = new double[labels.size()];
    double[] confidences = new double[labels.size()];
    for (int i = 0; i < correct.length; i++) {
      correct[i] = labels.get(i).correct() ? 1 : 0;
      margins[i] = features[i][0];
      confidences[i] = features[i][1];
    }
    return ScoreStack.fit(margins, confidences, correct);
  }

  /** A question is held out by a seeded hash of its id, so the split does not depend on order. */
  static boolean heldOut(String questionId, long seed, double fraction) {
    long h = Objects.hash(questionId, seed) & 0xffffffffL;
    return (h % 10_000) < Math.round(fraction * 10_000);
  }

  private PrmTrainer.Config trainerConfig() {
    return new PrmTrainer.Config(
        new LearningRateSchedule.Cosine(prm.lr(), prm.warmupUpdates(), prm.updates(), 0.1),
        AdamW.Hyperparameters.defaults().withWeightDecay(prm.weightDecay()),
        prm.gradClip(),
        prm.maxSkippedUpdates());
  }
}
