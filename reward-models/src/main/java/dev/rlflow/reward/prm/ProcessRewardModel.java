package dev.rlflow.reward.prm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.TeacherForcedScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A process reward model: a transformer with the 2-way step-score head that gives every step of a
 * solution P(correct), read at the step's tag ({@link StepSequence}), all steps of a batch of
 * solutions in one forward pass (ALGORITHMS.md §2). Optionally the head's margin is stacked with
 * the policy's confidence in the prefix ({@link PolicyConfidence}, {@link ScoreStack}); the policy
 * then scores the same batch in a second teacher-forced pass.
 *
 * <p>On disk it is a Hugging Face checkpoint directory (config.json + safetensors, the head as
 * {@code score.weight} and {@code score.bias}) with {@code prm.json} beside it saying how it was
 * trained and how it stacks; a stacking PRM keeps the policy it reads confidence from, also in
 * Hugging Face layout, in {@code policy/}. The models are owned: close the PRM.
 */
public final class ProcessRewardModel implements AutoCloseable {
  /** The file that marks a checkpoint directory as a PRM. */
  public static final String METADATA_FILE = "prm.json";

  /** The subdirectory holding the policy of a PRM that stacks the policy's confidence. */
  public static final String POLICY_DIR = "policy";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How a PRM was made.
   *
   * @param objective soft, hard or pairwise
   * @param init policy or scratch
   * @param trainLabels distinct labels it was trained on
   * @param decisionThreshold the score above which a step is called correct, fitted on the training
   *     labels ({@link DecisionThreshold})
   * @param stack how the head's margin and the policy's confidence make P(correct); absent in
   *     checkpoints from before stacking, which are {@link ScoreStack#HEAD_ONLY}
   * @param provenance the run and code that trained it, also recorded beside the weights; null in
   *     checkpoints from before provenance was recorded
   */
  public record Metadata(
      String objective,
      String init,
      long trainLabels,
      double decisionThreshold,
      ScoreStack stack,
      Provenance provenance) {
    public Metadata {
      stack = stack == null ? ScoreStack.HEAD_ONLY : stack;
    }
  }

  /**
   * The two signals about every step of a batch of sequences.
   *
   * @param margins row i: the head's margin at each tag of sequence i
   * @param confidences row i: the policy's prefix confidence at each step of sequence i (all 0
   *     without a policy)
   */
  public record StepFeatures(double[][] margins, double[][] confidences) {}

  private final TransformerModel model;
  private final TransformerModel policy;
  private final ScoreStack stack;
  private final int maxBatch;
  private final TeacherForcedScorer scorer;

  /** A plain PRM over {@code model}, scoring at most {@code maxBatch} solutions per pass. */
  public ProcessRewardModel(TransformerModel model, int maxBatch) {
    this(model, null, ScoreStack.HEAD_ONLY, maxBatch);
  }

  /**
   * A PRM over {@code model} that stacks the confidence of {@code policy} (null when the stack does
   * not use it) by {@code stack}.
   */
  public ProcessRewardModel(
      TransformerModel model, TransformerModel policy, ScoreStack stack, int maxBatch) {
    if (model.head() != TransformerModel.Head.STEP_SCORE) {
      throw new IllegalArgumentException("A PRM needs a STEP_SCORE head, not " + model.head());
    }
    if (policy != null && policy.head() != TransformerModel.Head.LM) {
      throw new IllegalArgumentException(
          "The policy a PRM reads confidence from needs an LM head, not " + policy.head());
    }
    if (stack.usesConfidence() && policy == null) {
      throw new IllegalArgumentException(
          "The score stack " + stack + " weighs the policy's confidence but no policy is given");
    }
    this.model = model;
    this.policy = policy;
    this.stack = stack;
    this.maxBatch = maxBatch;
    this.scorer = new TeacherForcedScorer(maxBatch);
  }

  /**
   * Loads a PRM checkpoint directory written by {@link #save}.
   *
   * @throws IllegalArgumentException when {@code dir} has no {@code prm.json} (e.g. a policy)
   */
  public static ProcessRewardModel load(Path dir, ComputeTarget target, int maxBatch)
      throws IOException {
    Metadata metadata = metadata(dir);
    TransformerModel model = ModelCheckpoint.load(dir, TransformerModel.Head.STEP_SCORE, target, 0);
    try {
      TransformerModel policy =
          metadata.stack().usesConfidence()
              ? ModelCheckpoint.load(dir.resolve(POLICY_DIR), TransformerModel.Head.LM, target, 0)
              : null;
      return new ProcessRewardModel(model, policy, metadata.stack(), maxBatch);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** The metadata of the PRM checkpoint in {@code dir}. */
  public static Metadata metadata(Path dir) throws IOException {
    Path file = dir.resolve(METADATA_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "Not a PRM checkpoint: "
              + dir
              + " has no "
              + METADATA_FILE
              + " (train one with prm-train)");
    }
    return JSON.readValue(file.toFile(), Metadata.class);
  }

  /** P(correct) of every step of every sequence: row i has one score per tag of sequence i. */
  public double[][] score(List<StepSequence> sequences) {
    StepFeatures features = features(sequences);
    double[][] result = new double[sequences.size()][];
    for (int i = 0; i < result.length; i++) {
      result[i] = new double[features.margins()[i].length];
      for (int j = 0; j < result[i].length; j++) {
        result[i][j] = stack.probability(features.margins()[i][j], features.confidences()[i][j]);
      }
    }
    return result;
  }

  /**
   * The head's margin and the policy's prefix confidence at every step: one pass of the PRM, and
   * one of the policy when there is one.
   */
  public StepFeatures features(List<StepSequence> sequences) {
    float[][] margins =
        scorer.stepMargins(
            model,
            sequences.stream().map(StepSequence::tokens).toList(),
            sequences.stream().map(StepSequence::tags).toList());
    double[][] confidences = new double[sequences.size()][];
    if (policy == null) {
      for (int i = 0; i < confidences.length; i++) {
        confidences[i] = new double[sequences.get(i).steps()];
      }
    } else {
      List<int[]> prompts = new ArrayList<>(sequences.size());
      List<int[]> responses = new ArrayList<>(sequences.size());
      for (StepSequence s : sequences) {
        int[] tokens = s.tokens();
        prompts.add(Arrays.copyOfRange(tokens, 0, s.firstStep()));
        responses.add(Arrays.copyOfRange(tokens, s.firstStep(), tokens.length));
      }
      float[][] logProbs = scorer.logProbs(policy, prompts, responses);
      for (int i = 0; i < confidences.length; i++) {
        int[] tags = sequences.get(i).tags();
        for (int t = 0; t < tags.length; t++) {
          tags[t] -= sequences.get(i).firstStep();
        }
        confidences[i] = PolicyConfidence.prefixMin(logProbs[i], tags);
      }
    }
    double[][] result = new double[margins.length][];
    for (int i = 0; i < margins.length; i++) {
      result[i] = new double[margins[i].length];
      for (int j = 0; j < result[i].length; j++) {
        result[i][j] = margins[i][j];
      }
    }
    return new StepFeatures(result, confidences);
  }

  /**
   * The same models under another stack. The models move to the returned PRM: close that one, and
   * do not use this one again.
   */
  public ProcessRewardModel withStack(ScoreStack stack) {
    return new ProcessRewardModel(model, policy, stack, maxBatch);
  }

  /**
   * Writes the checkpoint and {@code prm.json} into {@code dir}, and the policy into {@code
   * policy/} when the stack uses its confidence; both checkpoints record the metadata's provenance.
   *
   * @throws IllegalArgumentException when the metadata's stack is not this PRM's
   */
  public void save(Path dir, Metadata metadata) throws IOException {
    if (!metadata.stack().equals(stack)) {
      throw new IllegalArgumentException(
          "Invalid metadata stack " + metadata.stack() + ": this PRM stacks by " + stack);
    }
    ModelCheckpoint.save(model, dir, Long.MAX_VALUE, metadata.provenance());
    if (stack.usesConfidence()) {
      ModelCheckpoint.save(policy, dir.resolve(POLICY_DIR), Long.MAX_VALUE, metadata.provenance());
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(METADATA_FILE).toFile(), metadata);
  }

  public TransformerModel model() {
    return model;
  }

  public ScoreStack stack() {
    return stack;
  }

  @Override
  public void close() {
    try {
      model.close();
    } finally {
      if (policy != null) {
        policy.close();
      }
    }
  }
}
