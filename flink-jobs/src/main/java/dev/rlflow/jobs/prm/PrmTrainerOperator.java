package dev.rlflow.jobs.prm;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.config.PrmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.StepChecker;
import dev.rlflow.jobs.batch.BatchOrder;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.sft.TrainingMetric;
import dev.rlflow.jobs.traces.ProcessLabelAvro;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.reward.prm.DecisionThreshold;
import dev.rlflow.reward.prm.PrmTrainer;
import dev.rlflow.reward.prm.PrmTrainingSet;
import dev.rlflow.reward.prm.ProcessRewardModel;
import dev.rlflow.reward.prm.ScoreStack;
import dev.rlflow.reward.prm.StepSequence;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.schedule.LearningRateSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Trains a process reward model: collects the labels (setting aside, as dead letters with a reason,
 * those that break a rule), and once its input ends keeps {@code prm.held_out_fraction} of the
 * questions apart, trains on the rest with the configured objective for {@code prm.updates}
 * updates, fits the score stack with the policy's confidence ({@code prm.confidence}) on the
 * held-out labels and the decision threshold on the training labels, scores both sets and writes
 * the PRM checkpoint (Hugging Face layout with the score head, the policy in {@code policy/} when
 * stacked, and {@code prm.json}).
 *
 * <p>Training happens in {@code endInput}: the job is bounded and runs in batch mode; a failed
 * attempt is re-run from the label files.
 */
final class PrmTrainerOperator extends AbstractStreamOperator<PrmTrainEvent>
    implements OneInputStreamOperator<dev.rlflow.traces.ProcessLabel, PrmTrainEvent>,
        BoundedOneInput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SCORE_BATCH = 64;

  /** Labels a score stack is fitted on, at the least: three numbers need a few dozen. */
  static final int MIN_STACK_LABELS = 50;

  private final RunContext run;
  private final String policyCheckpoint;
  private final String checkpointRelative;
  private transient List<ProcessLabel> labels;
  private transient boolean arith;
  private transient long read;
  private transient long deadLetters;

  /**
   * @param policyCheckpoint the policy whose backbone starts the PRM (prm.init policy), or null
   * @param checkpointRelative where the PRM goes inside the run directory
   */
  PrmTrainerOperator(RunContext run, String policyCheckpoint, String checkpointRelative) {
    this.run = run;
    this.policyCheckpoint = policyCheckpoint;
    this.checkpointRelative = checkpointRelative;
  }

  @Override
  public void open() throws Exception {
    super.open();
    labels = new ArrayList<>();
    arith = run.config().task().name() == TaskConfig.TaskName.ARITH;
  }

  @Override
  public void processElement(StreamRecord<dev.rlflow.traces.ProcessLabel> element) {
    read++;
    dev.rlflow.traces.ProcessLabel avro = element.getValue();
    try {
      ProcessLabel label = ProcessLabelAvro.fromAvro(avro);
      checkSteps(label);
      if (arith) {
        ArithProblem.parse(label.questionId(), label.question()); // ground truth needs it
      }
      labels.add(label);
    } catch (IllegalArgumentException e) {
      setAside(avro.toString(), e.getMessage());
    }
  }

  private void setAside(String record, String reason) {
    deadLetters++;
    ObjectNode node = JSON.createObjectNode();
    node.put("reason", reason).put("record", record);
    output.collect(new StreamRecord<>(PrmTrainEvent.deadLetter(node.toString())));
  }

  /** Steps are what the PRM reads one per line: non-blank, without a line break. */
  private static void checkSteps(ProcessLabel label) {
    List<String> path = PrmTrainingSet.path(label);
    for (int i = 0; i < path.size(); i++) {
      String step = path.get(i);
      if (step.isBlank() || step.contains("\n")) {
        String field = i < label.prefixSteps().size() ? "prefix_steps[" + i + "]" : "step";
        throw new IllegalArgumentException(
            "Invalid value '" + step + "' for " + field + ": must be one non-blank line");
      }
    }
  }

  @Override
  public void endInput() throws Exception {
    long start = System.nanoTime();
    RunConfig config = run.config();
    PrmConfig prm = config.prm();
    Engine.getInstance(); // before any JniUtils call (DESIGN.md §1)
    try (Tokenizer tokenizer = Tokenizers.load(config.policy().tokenizer())) {
      ProcessRewardModel scorer = initialPrm(config, tokenizer);
      try {
        TransformerModel model = scorer.model(); // closed with the scorer
        int maxSeqLen = model.config().maxSeqLen();
        List<ProcessLabel> distinct = new ArrayList<>();
        for (ProcessLabel label : PrmTrainingSet.distinct(labels)) {
          int length =
              StepSequence.encode(tokenizer, label.question(), PrmTrainingSet.path(label)).length();
          if (length > maxSeqLen) {
            setAside(
                label.toString(),
                "the question and steps take "
                    + length
                    + " tokens, more than policy.max_seq_len "
                    + maxSeqLen);
          } else {
            distinct.add(label);
          }
        }
        List<ProcessLabel> train = new ArrayList<>();
        List<ProcessLabel> heldOut = new ArrayList<>();
        for (ProcessLabel label : distinct) {
          (heldOut(label.questionId(), config.run().seed(), prm.heldOutFraction())
                  ? heldOut
                  : train)
              .add(label);
        }
        if (train.isEmpty()) {
          throw new IllegalArgumentException(
              "No labels to train the PRM on: "
                  + read
                  + " read, "
                  + deadLetters
                  + " set aside, "
                  + heldOut.size()
                  + " held out");
        }
        double[] finalLoss = {Double.NaN};
        try (PrmTrainer trainer = new PrmTrainer(model, trainerConfig(prm))) {
          train(prm, tokenizer, train, trainer, finalLoss);
        }
        boolean[] trainCorrect = new boolean[train.size()];
        for (int i = 0; i < trainCorrect.length; i++) {
          trainCorrect[i] = train.get(i).correct();
        }
        double[][] trainFeatures = lastStepFeatures(scorer, tokenizer, train);
        double[][] heldOutFeatures = lastStepFeatures(scorer, tokenizer, heldOut);
        double[] headTrain = probabilities(ScoreStack.HEAD_ONLY, trainFeatures);
        PrmEval.Fit heldOutHeadOnly =
            fit(
                heldOut,
                probabilities(ScoreStack.HEAD_ONLY, heldOutFeatures),
                arith,
                DecisionThreshold.fit(headTrain, trainCorrect, 0.5));
        FittedStack fitted =
            prm.confidence() == PrmConfig.Confidence.POLICY
                ? fitStack(heldOut, heldOutFeatures, train, trainFeatures)
                : new FittedStack(ScoreStack.HEAD_ONLY, null);
        ScoreStack stack = fitted.stack();
        scorer = scorer.withStack(stack);
        double[] trainScores = probabilities(stack, trainFeatures);
        double threshold = DecisionThreshold.fit(trainScores, trainCorrect, 0.5);
        PrmEval.Fit trainFit = fit(train, trainScores, arith, threshold);
        PrmEval.Fit heldOutFit =
            fit(heldOut, probabilities(stack, heldOutFeatures), arith, threshold);
        Path dir = run.localPath(checkpointRelative);
        scorer.save(
            dir,
            new ProcessRewardModel.Metadata(
                name(prm.objective()), name(prm.init()), train.size(), threshold, stack));
        output.collect(
            new StreamRecord<>(
                PrmTrainEvent.of(
                    new PrmEval(
                        name(prm.objective()),
                        name(prm.init()),
                        dir.toString(),
                        read,
                        deadLetters,
                        distinct.size(),
                        train.size(),
                        prm.updates(),
                        finalLoss[0],
                        threshold,
                        stack,
                        fitted.on(),
                        heldOutFit,
                        trainFit,
                        heldOutHeadOnly,
                        (System.nanoTime() - start) / 1e9))));
      } finally {
        scorer.close();
      }
    }
  }

  private void train(
      PrmConfig prm,
      Tokenizer tokenizer,
      List<ProcessLabel> train,
      PrmTrainer trainer,
      double[] finalLoss) {
    boolean pairwise = prm.objective() == PrmConfig.Objective.PAIRWISE;
    List<PrmTrainingSet.Example> examples =
        pairwise ? List.of() : PrmTrainingSet.pointwise(train, prm.objective(), tokenizer);
    List<PrmTrainingSet.SiblingGroup> groups =
        pairwise ? PrmTrainingSet.pairwise(train, tokenizer) : List.of();
    int size = pairwise ? groups.size() : examples.size();
    if (size == 0) {
      throw new IllegalArgumentException(
          "No "
              + (pairwise ? "sibling groups (two labelled steps after one prefix)" : "examples")
              + " among "
              + train.size()
              + " training labels for prm.objective "
              + name(prm.objective()));
    }
    BatchOrder order = new BatchOrder(size, run.config().run().seed());
    for (int update = 1; update <= prm.updates(); update++) {
      PrmTrainer.Batch batch;
      if (pairwise) {
        List<PrmTrainingSet.SiblingGroup> picked = new ArrayList<>();
        for (int i = 0; i < Math.min(prm.batchSize(), size); i++) {
          picked.add(groups.get(order.next()));
        }
        batch = PrmTrainer.Batch.pairwise(picked);
      } else {
        List<PrmTrainingSet.Example> picked = new ArrayList<>();
        for (int i = 0; i < Math.min(prm.batchSize(), size); i++) {
          picked.add(examples.get(order.next()));
        }
        batch = PrmTrainer.Batch.pointwise(picked);
      }
      PrmTrainer.StepResult result = trainer.step(batch);
      finalLoss[0] = result.loss();
      output.collect(
          new StreamRecord<>(
              PrmTrainEvent.of(
                  new TrainingMetric(
                      "prm-train",
                      update,
                      prm.updates(),
                      result.loss(),
                      result.lr(),
                      result.gradNorm(),
                      result.terms() / Math.max(result.seconds(), 1e-9),
                      result.skipped(),
                      ""))));
    }
  }

  /** {margin, confidence} of each label's own step (the last of its path). */
  private static double[][] lastStepFeatures(
      ProcessRewardModel scorer, Tokenizer tokenizer, List<ProcessLabel> labels) {
    List<StepSequence> sequences = new ArrayList<>(labels.size());
    for (ProcessLabel label : labels) {
      sequences.add(StepSequence.encode(tokenizer, label.question(), PrmTrainingSet.path(label)));
    }
    return lastStepFeatures(scorer.features(sequences));
  }

  private static double[][] lastStepFeatures(ProcessRewardModel.StepFeatures features) {
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
   * chance — or of the training labels when fewer than {@link #MIN_STACK_LABELS} are held out.
   */
  private static FittedStack fitStack(
      List<ProcessLabel> heldOut,
      double[][] heldOutFeatures,
      List<ProcessLabel> train,
      double[][] trainFeatures) {
    if (heldOut.size() >= MIN_STACK_LABELS) {
      return new FittedStack(stack(heldOut, heldOutFeatures), "held_out");
    }
    if (train.size() >= MIN_STACK_LABELS) {
      return new FittedStack(stack(train, trainFeatures), "train");
    }
    throw new IllegalArgumentException(
        "Too few labels to fit the score stack on: "
            + (heldOut.size() + train.size())
            + ", fewer than "
            + MIN_STACK_LABELS
            + " held out or trained on; set prm.confidence: none or collect more labels");
  }

  private static ScoreStack stack(List<ProcessLabel> labels, double[][] features) {
    double[] correct = new double[labels.size()];
    for (int i = 0; i < correct.length; i++) {
      correct[i] = labels.get(i).correct() ? 1 : 0;
    }
    return ScoreStack.fit(column(features, 0), column(features, 1), correct);
  }

  private static double[] column(double[][] rows, int c) {
    double[] column = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      column[i] = rows[i][c];
    }
    return column;
  }

  /** How the scores {@code p} of the labels' own steps agree with the labels and the truth. */
  private static PrmEval.Fit fit(
      List<ProcessLabel> labels, double[] p, boolean arith, double threshold) {
    if (labels.isEmpty()) {
      return new PrmEval.Fit(0, Double.NaN, Double.NaN, Double.NaN);
    }
    long agree = 0;
    long truthAgree = 0;
    double bce = 0;
    StepChecker checker = new StepChecker();
    for (int i = 0; i < p.length; i++) {
      ProcessLabel label = labels.get(i);
      boolean predicted = p[i] > threshold;
      agree += predicted == label.correct() ? 1 : 0;
      double q = Math.min(Math.max(p[i], 1e-7), 1 - 1e-7);
      bce -= label.mcValue() * Math.log(q) + (1 - label.mcValue()) * Math.log(1 - q);
      if (arith) {
        List<String> path = PrmTrainingSet.path(label);
        boolean truth =
            checker
                .check(
                    ArithProblem.parse(label.questionId(), label.question()),
                    String.join("\n", path))
                .prefixCorrect(path.size());
        truthAgree += predicted == truth ? 1 : 0;
      }
    }
    int n = p.length;
    return new PrmEval.Fit(
        n, (double) agree / n, bce / n, arith ? (double) truthAgree / n : Double.NaN);
  }

  /** A question is held out by a seeded hash of its id, so the split does not depend on order. */
  static boolean heldOut(String questionId, long seed, double fraction) {
    long h = Objects.hash(questionId, seed) & 0xffffffffL;
    return (h % 10_000) < Math.round(fraction * 10_000);
  }

  /**
   * The PRM to train: its backbone from the policy or new, and the policy it reads confidence from
   * when {@code prm.confidence} is policy; stacked as the head alone until fitted.
   */
  private ProcessRewardModel initialPrm(RunConfig config, Tokenizer tokenizer) throws Exception {
    PrmConfig prm = config.prm();
    ComputeTarget target = ComputeTarget.of(config.policy());
    long seed = config.run().seed();
    if (policyCheckpoint == null
        && (prm.init() == PrmConfig.Init.POLICY
            || prm.confidence() == PrmConfig.Confidence.POLICY)) {
      throw new IllegalArgumentException(
          "prm.init or prm.confidence is policy but no policy checkpoint is given: pass"
              + " --checkpoint, set policy.checkpoint, or set prm.init: scratch and"
              + " prm.confidence: none");
    }
    TransformerModel model =
        switch (prm.init()) {
          case POLICY ->
              TransformerModel.load(
                  Path.of(policyCheckpoint), TransformerModel.Head.STEP_SCORE, target, seed);
          case SCRATCH ->
              TransformerModel.create(
                  ModelConfig.of(config.policy(), tokenizer.vocabSize()),
                  TransformerModel.Head.STEP_SCORE,
                  target.dtype(),
                  target.device(),
                  seed);
        };
    try {
      TransformerModel policy =
          prm.confidence() == PrmConfig.Confidence.POLICY
              ? TransformerModel.load(
                  Path.of(policyCheckpoint), TransformerModel.Head.LM, target, seed)
              : null;
      return new ProcessRewardModel(model, policy, ScoreStack.HEAD_ONLY, SCORE_BATCH);
    } catch (Exception e) {
      model.close();
      throw e;
    }
  }

  private static PrmTrainer.Config trainerConfig(PrmConfig prm) {
    return new PrmTrainer.Config(
        new LearningRateSchedule.Cosine(prm.lr(), prm.warmupUpdates(), prm.updates(), 0.1),
        AdamW.Hyperparameters.defaults().withWeightDecay(prm.weightDecay()),
        1.0,
        5);
  }

  static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
