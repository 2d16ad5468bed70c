package dev.rlflow.jobs.pipeline;

import dev.rlflow.jobs.run.StageName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One stage of a pipeline: runs its job(s) from a state and returns the state after them. */
interface PipelineStage {
  /** The name the stage gets in {@code summary.json} when it runs after {@code state}. */
  StageName name(PipelineState state);

  /**
   * Runs the stage.
   *
   * @return the state after it (without the stage's summary entry, which the pipeline adds) and the
   *     figures it measured, in the order {@code summary.json} lists them
   * @throws IllegalArgumentException if {@code state} lacks what the stage needs (a policy, labels)
   */
  Outcome run(PipelineState state, StageContext context) throws Exception;

  /**
   * What a stage produced.
   *
   * @param state the state after the stage
   * @param figures the stage's figures by name
   */
  record Outcome(PipelineState state, Map<String, Double> figures) {
    /** Copies the figures, keeping their order. */
    public Outcome {
      figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    }
  }
}
