package dev.rlflow.jobs.prm;

import dev.rlflow.training.loop.TrainingMetric;

/**
 * What the PRM trainer tells the client: exactly one of an update's metric, a label set aside (a
 * JSON line for {@code dead-letters/prm-train.jsonl}), or the final evaluation.
 */
public record PrmTrainEvent(TrainingMetric metric, String deadLetter, PrmEval eval) {
  static PrmTrainEvent of(TrainingMetric metric) {
    return new PrmTrainEvent(metric, null, null);
  }

  static PrmTrainEvent deadLetter(String jsonLine) {
    return new PrmTrainEvent(null, jsonLine, null);
  }

  static PrmTrainEvent of(PrmEval eval) {
    return new PrmTrainEvent(null, null, eval);
  }
}
