package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import dev.rlflow.model.ModelConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model read from a Hugging Face checkpoint directory: its configuration and every parameter,
 * validated against {@link HfLayout}, floating-point parameters as FP32.
 *
 * @param config the model's shape, from {@code config.json}
 * @param tensors parameters by Hugging Face name, in {@link HfLayout#expectedShapes} order followed
 *     by the value head and then the step-score head when present; owned by the manager passed to
 *     {@link HfCheckpoint#read}
 */
public record LoadedCheckpoint(ModelConfig config, Map<String, NDArray> tensors) {

  public LoadedCheckpoint {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** Whether the checkpoint carries a value (critic) head. */
  public boolean hasValueHead() {
    return tensors.containsKey(HfLayout.VALUE_HEAD_WEIGHT);
  }

  /** Whether the checkpoint carries a step-score (PRM) head. */
  public boolean hasStepScoreHead() {
    return tensors.containsKey(HfLayout.STEP_SCORE_WEIGHT);
  }
}
