package dev.rlflow.jobs.prm;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.rlflow.jobs.run.RunFiles;
import dev.rlflow.reward.prm.LabelFit;
import dev.rlflow.reward.prm.ScoreStack;
import java.io.IOException;
import org.apache.flink.core.fs.Path;

/**
 * What {@code prm-train} trained and how well the PRM fits: {@code prm-eval.json}.
 *
 * @param objective soft, hard or pairwise
 * @param init policy or scratch
 * @param checkpoint the PRM checkpoint directory
 * @param labelsRead labels read from the files
 * @param deadLetters labels set aside (invalid, or longer than the model's context)
 * @param distinctLabels labels after removing repeats of a (question, prefix, step)
 * @param trainLabels distinct labels of the training questions
 * @param updates optimizer updates
 * @param finalLoss the last update's loss
 * @param decisionThreshold the score above which a step is called correct, fitted on the training
 *     labels
 * @param stack how the head's margin and the policy's confidence make P(correct), fitted on the
 *     training labels after the head (reward.prm.ScoreStack)
 * @param stackFittedOn held_out (the held-out questions' labels, predictions the head was not
 *     trained on) or train (too few held out); null for the head alone
 * @param heldOut fit on the labels of the held-out questions (which the three numbers of the stack
 *     were fitted on when {@code stackFittedOn} is held_out: eval --selection, on fresh solutions,
 *     is then the out-of-sample test)
 * @param train fit on the training labels
 * @param heldOutHeadOnly fit on the held-out labels of the head alone, with its own threshold: what
 *     the stack adds
 * @param wallSeconds time of the training operator's work
 */
public record PrmEval(
    String objective,
    String init,
    String checkpoint,
    @JsonProperty("labels_read") long labelsRead,
    @JsonProperty("dead_letters") long deadLetters,
    @JsonProperty("distinct_labels") long distinctLabels,
    @JsonProperty("train_labels") long trainLabels,
    long updates,
    @JsonProperty("final_loss") double finalLoss,
    @JsonProperty("decision_threshold") double decisionThreshold,
    ScoreStack stack,
    @JsonProperty("stack_fitted_on") String stackFittedOn,
    @JsonProperty("held_out") LabelFit heldOut,
    LabelFit train,
    @JsonProperty("held_out_head_only") LabelFit heldOutHeadOnly,
    @JsonProperty("wall_seconds") double wallSeconds) {

  /** The file's name inside a run directory. */
  public static final String FILE_NAME = "prm-eval.json";

  /** Writes {@code prm-eval.json} (or any file) on any Flink filesystem. */
  public void write(Path file) throws IOException {
    RunFiles.replace(file, RunFiles.JSON.writeValueAsBytes(this));
  }
}
