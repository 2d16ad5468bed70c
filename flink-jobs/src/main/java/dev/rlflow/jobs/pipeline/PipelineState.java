package dev.rlflow.jobs.pipeline;

import dev.rlflow.jobs.eval.SelectionTable;
import dev.rlflow.jobs.prm.LabelCollection;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.core.fs.Path;

/**
 * What the stages of a pipeline have produced so far; each stage returns a new state, never
 * changing the one it was given.
 *
 * @param checkpoint the latest policy: the one the latest training stage wrote, else the given one
 * @param trainedBy the training stage that wrote {@code checkpoint}; empty for a given policy
 * @param rl what the RL stage left for its control, once one ran
 * @param labels the process labels {@code prm_train} reads: this run's {@code prm_collect} output,
 *     else the directory given
 * @param prms PRM checkpoints by objective name, in the order they became known
 * @param labelCollection the figures of the latest {@code prm_collect} stage
 * @param selection the table of the latest {@code selection} stage
 * @param done the stages that ran, in order, with the figures they measured themselves
 * @param accuracy held-out accuracy of the policy a training stage wrote, by that stage, as a later
 *     {@code eval} measured it
 */
record PipelineState(
    Optional<String> checkpoint,
    Optional<StageName> trainedBy,
    Optional<RlStart> rl,
    Optional<Path> labels,
    Map<String, String> prms,
    Optional<LabelCollection> labelCollection,
    Optional<SelectionTable> selection,
    List<RunSummary.Stage> done,
    Map<StageName, Double> accuracy) {

  /**
   * What the control stage needs of the RL stage.
   *
   * @param initial the policy RL started from
   * @param wallSeconds RL's wall time
   * @param weightsSha256 the SHA-256 of the weights RL wrote
   */
  record RlStart(String initial, double wallSeconds, String weightsSha256) {
    RlStart {
      Objects.requireNonNull(initial, "initial");
      Objects.requireNonNull(weightsSha256, "weightsSha256");
    }
  }

  /** Validates the state and copies its collections (keeping the order of {@code prms}). */
  PipelineState {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(trainedBy, "trainedBy");
    Objects.requireNonNull(rl, "rl");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(labelCollection, "labelCollection");
    Objects.requireNonNull(selection, "selection");
    prms = Collections.unmodifiableMap(new LinkedHashMap<>(prms));
    done = List.copyOf(done);
    Map<StageName, Double> byStage = new EnumMap<>(StageName.class);
    byStage.putAll(accuracy);
    accuracy = Collections.unmodifiableMap(byStage);
  }

  /** The state before the first stage: a given policy, labels and PRMs, nothing run yet. */
  static PipelineState initial(
      Optional<String> policy, Optional<Path> labels, Map<String, String> prms) {
    return new PipelineState(
        policy,
        Optional.empty(),
        Optional.empty(),
        labels,
        prms,
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Map.of());
  }

  /**
   * The latest policy, for a stage that needs one to {@code what} (e.g. {@code "evaluate"}).
   *
   * @throws IllegalArgumentException if there is none, saying how to give one
   */
  String policy(String what) {
    return checkpoint.orElseThrow(
        () ->
            new IllegalArgumentException(
                "No policy to "
                    + what
                    + ": set policy.checkpoint (or --checkpoint), or run sft first"));
  }

  /** This state after training stage {@code by} wrote the policy {@code written}. */
  PipelineState trained(StageName by, String written) {
    return new PipelineState(
        Optional.of(written),
        Optional.of(by),
        rl,
        labels,
        prms,
        labelCollection,
        selection,
        done,
        accuracy);
  }

  /** This state after the RL stage: its policy, and what its control needs. */
  PipelineState afterRl(String written, RlStart start) {
    return new PipelineState(
        Optional.of(written),
        Optional.of(StageName.RL),
        Optional.of(start),
        labels,
        prms,
        labelCollection,
        selection,
        done,
        accuracy);
  }

  /** This state after {@code prm_collect} wrote {@code collection} and labels under {@code dir}. */
  PipelineState collected(LabelCollection collection, Path dir) {
    return new PipelineState(
        checkpoint,
        trainedBy,
        rl,
        Optional.of(dir),
        prms,
        Optional.of(collection),
        selection,
        done,
        accuracy);
  }

  /**
   * This state with the PRM {@code checkpointDir} for {@code objective}, replacing an earlier one.
   */
  PipelineState withPrm(String objective, String checkpointDir) {
    Map<String, String> more = new LinkedHashMap<>(prms);
    more.put(objective, checkpointDir);
    return new PipelineState(
        checkpoint, trainedBy, rl, labels, more, labelCollection, selection, done, accuracy);
  }

  /** This state after a {@code selection} stage measured {@code table}. */
  PipelineState selected(SelectionTable table) {
    return new PipelineState(
        checkpoint,
        trainedBy,
        rl,
        labels,
        prms,
        labelCollection,
        Optional.of(table),
        done,
        accuracy);
  }

  /**
   * This state after an evaluation measured {@code value} for the latest policy: the accuracy of
   * the training stage that wrote it, if one of this pipeline did.
   */
  PipelineState evaluated(double value) {
    if (trainedBy.isEmpty()) {
      return this;
    }
    Map<StageName, Double> more = new EnumMap<>(StageName.class);
    more.putAll(accuracy);
    more.put(trainedBy.get(), value);
    return new PipelineState(
        checkpoint, trainedBy, rl, labels, prms, labelCollection, selection, done, more);
  }

  /** This state with {@code stage} finished. */
  PipelineState finished(RunSummary.Stage stage) {
    List<RunSummary.Stage> more = new ArrayList<>(done);
    more.add(stage);
    return new PipelineState(
        checkpoint, trainedBy, rl, labels, prms, labelCollection, selection, more, accuracy);
  }

  /**
   * The stages as {@code summary.json} records them: a training stage gets the {@code accuracy}
   * figure a later evaluation measured for its policy.
   */
  List<RunSummary.Stage> summaryStages() {
    List<RunSummary.Stage> stages = new ArrayList<>();
    for (RunSummary.Stage stage : done) {
      Double measured = accuracy.get(stage.name());
      stages.add(measured == null ? stage : stage.withFigure("accuracy", measured));
    }
    return stages;
  }
}
