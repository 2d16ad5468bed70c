package dev.rlflow.jobs.prm;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.config.PrmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.jobs.runner.ModelDirectories;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.traces.ProcessLabelAvro;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.reward.prm.PrmTraining;
import dev.rlflow.reward.prm.PrmTrainingSet;
import dev.rlflow.reward.prm.ProcessRewardModel;
import dev.rlflow.reward.prm.ScoreStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Trains a process reward model: collects the labels (setting aside, as dead letters with a reason,
 * those that break a rule), and once its input ends runs the {@link PrmTraining} recipe on them,
 * emitting its metrics, the labels it set aside and the evaluation, and writes the PRM checkpoint
 * (Hugging Face layout with the score head, the policy in {@code policy/} when stacked, and {@code
 * prm.json}, each with its {@link Provenance}).
 *
 * <p>Training happens in {@code endInput}: the job is bounded and runs in batch mode; a failed
 * attempt is re-run from the label files.
 */
final class PrmTrainerOperator extends AbstractStreamOperator<PrmTrainEvent>
    implements OneInputStreamOperator<dev.rlflow.traces.ProcessLabel, PrmTrainEvent>,
        BoundedOneInput {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SCORE_BATCH = 64;

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
    try {
      train();
    } catch (Exception e) {
      throw NonRetriable.classify(e);
    }
  }

  private void train() throws Exception {
    long start = System.nanoTime();
    RunConfig config = run.config();
    PrmConfig prm = config.prm();
    Engine.getInstance(); // before any JniUtils call (DESIGN.md §1)
    try (Tokenizer tokenizer = Tokenizers.load(config.policy().tokenizer())) {
      ProcessRewardModel initial = initialPrm(config, tokenizer);
      try {
        PrmTraining training = new PrmTraining(prm, config.run().seed(), tokenizer, arith);
        PrmTraining.Split split = training.split(labels, initial.model().config().maxSeqLen());
        for (PrmTraining.SetAside aside : split.setAside()) {
          setAside(aside.label().toString(), aside.reason());
        }
        if (split.train().isEmpty()) {
          throw new IllegalArgumentException(
              "No labels to train the PRM on: "
                  + read
                  + " read, "
                  + deadLetters
                  + " set aside, "
                  + split.heldOut().size()
                  + " held out");
        }
        PrmTraining.Result result =
            training.train(
                initial,
                split,
                metric -> output.collect(new StreamRecord<>(PrmTrainEvent.of(metric))));
        ProcessRewardModel.Metadata metadata =
            new ProcessRewardModel.Metadata(
                name(prm.objective()),
                name(prm.init()),
                split.train().size(),
                result.decisionThreshold(),
                result.stack(),
                Provenance.of(config, run.runId()));
        String dir =
            ModelDirectories.save(
                run.resolve(checkpointRelative), local -> result.prm().save(local, metadata));
        output.collect(
            new StreamRecord<>(
                PrmTrainEvent.of(
                    new PrmEval(
                        name(prm.objective()),
                        name(prm.init()),
                        dir,
                        read,
                        deadLetters,
                        split.distinct(),
                        split.train().size(),
                        prm.updates(),
                        result.finalLoss(),
                        result.decisionThreshold(),
                        result.stack(),
                        result.stackFittedOn(),
                        result.heldOut(),
                        result.train(),
                        result.heldOutHeadOnly(),
                        (System.nanoTime() - start) / 1e9))));
      } finally {
        initial.close(); // the trained PRM holds the same models
      }
    }
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
              ModelCheckpoint.load(
                  ModelDirectories.local(policyCheckpoint),
                  TransformerModel.Head.STEP_SCORE,
                  target,
                  seed);
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
              ? ModelCheckpoint.load(
                  ModelDirectories.local(policyCheckpoint), TransformerModel.Head.LM, target, seed)
              : null;
      return new ProcessRewardModel(model, policy, ScoreStack.HEAD_ONLY, SCORE_BATCH);
    } catch (Exception e) {
      model.close();
      throw e;
    }
  }

  static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
