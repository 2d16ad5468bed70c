package dev.rlflow.reward.prm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.TeacherForcedScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A process reward model: a transformer with the 2-way step-score head that gives every step of a
 * solution P(correct), read at the step's tag ({@link StepSequence}), all steps of a batch of
 * solutions in one forward pass (ALGORITHMS.md §2).
 *
 * <p>On disk it is a Hugging Face checkpoint directory (config.json + safetensors, the head as
 * {@code score.weight} and {@code score.bias}) with {@code prm.json} beside it saying how it was
 * trained. The model is owned: close it.
 */
public final class ProcessRewardModel implements AutoCloseable {
  /** The file that marks a checkpoint directory as a PRM. */
  public static final String METADATA_FILE = "prm.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How a PRM was made.
   *
   * @param objective soft, hard or pairwise
   * @param init policy or scratch
   * @param trainLabels distinct labels it was trained on
   * @param decisionThreshold the score above which a step is called correct, fitted on the training
   *     labels ({@link DecisionThreshold})
   */
  public record Metadata(
      String objective, String init, long trainLabels, double decisionThreshold) {}

  private final TransformerModel model;
  private final TeacherForcedScorer scorer;

  /** A PRM over {@code model}, scoring at most {@code maxBatch} solutions per forward pass. */
  public ProcessRewardModel(TransformerModel model, int maxBatch) {
    if (model.head() != TransformerModel.Head.STEP_SCORE) {
      throw new IllegalArgumentException("A PRM needs a STEP_SCORE head, not " + model.head());
    }
    this.model = model;
    this.scorer = new TeacherForcedScorer(maxBatch);
  }

  /**
   * Loads a PRM checkpoint directory written by {@link #save}.
   *
   * @throws IllegalArgumentException when {@code dir} has no {@code prm.json} (e.g. a policy)
   */
  public static ProcessRewardModel load(Path dir, ComputeTarget target, int maxBatch)
      throws IOException {
    metadata(dir);
    return new ProcessRewardModel(
        TransformerModel.load(dir, TransformerModel.Head.STEP_SCORE, target, 0), maxBatch);
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
    float[][] scores =
        scorer.stepScores(
            model,
            sequences.stream().map(StepSequence::tokens).toList(),
            sequences.stream().map(StepSequence::tags).toList());
    double[][] result = new double[scores.length][];
    for (int i = 0; i < scores.length; i++) {
      result[i] = new double[scores[i].length];
      for (int j = 0; j < scores[i].length; j++) {
        result[i][j] = scores[i][j];
      }
    }
    return result;
  }

  /** Writes the checkpoint and {@code prm.json} into {@code dir}. */
  public void save(Path dir, Metadata metadata) throws IOException {
    model.save(dir, Long.MAX_VALUE);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(METADATA_FILE).toFile(), metadata);
  }

  public TransformerModel model() {
    return model;
  }

  @Override
  public void close() {
    model.close();
  }
}
