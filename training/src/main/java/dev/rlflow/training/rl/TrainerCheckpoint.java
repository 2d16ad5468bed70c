package dev.rlflow.training.rl;

import ai.djl.ndarray.NDArray;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.optim.AdamW;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an exact resume of an {@link RlTrainer} needs, in memory: per model it updates ({@link
 * Part}) the weights and the optimizer's Adam moments, raft's replay buffer as bytes, and the
 * counters. It names no storage: flink-jobs writes it as one universal checkpoint (resharding's
 * format, which training may not import, DESIGN.md §2). The arrays {@link RlTrainer#save} returns
 * are the trainer's live ones: write them out before its next iteration.
 *
 * @param models the policy and, for ppo, the critic
 * @param replay raft's replay buffer ({@code ReplayBuffer}'s format), empty when it replays none
 * @param counters the counters, small enough for the caller's own state
 */
public record TrainerCheckpoint(Map<Part, ModelState> models, byte[] replay, Counters counters) {

  public TrainerCheckpoint {
    if (!models.containsKey(Part.POLICY)) {
      throw new IllegalArgumentException("A trainer checkpoint needs the policy");
    }
    models = new EnumMap<>(models);
    replay = replay.clone();
    Objects.requireNonNull(counters, "counters");
  }

  @Override
  public Map<Part, ModelState> models() {
    return new EnumMap<>(models);
  }

  @Override
  public byte[] replay() {
    return replay.clone();
  }

  /**
   * The counters of a trainer's state; the tensors are in the {@link ModelState}s.
   *
   * @param iterations iterations run: the seed of the next minibatch order (the trainer's RNG)
   * @param actorSteps the actor optimizer's step counter (Adam's bias correction)
   * @param criticSteps the critic optimizer's step counter, 0 without a critic
   * @param klCoef the KL controller's beta for the next batch
   */
  public record Counters(long iterations, long actorSteps, long criticSteps, double klCoef) {}

  /** A model the trainer updates, with the prefix its tensors' names get in a saved checkpoint. */
  public enum Part {
    POLICY("policy/"),
    CRITIC("critic/");

    /** Prepended to the model's parameter names where one checkpoint holds several models. */
    public final String prefix;

    Part(String prefix) {
      this.prefix = prefix;
    }
  }

  /**
   * A model's weights and its optimizer's moments, each by parameter name.
   *
   * @param weights the parameters
   * @param expAvg Adam's first moments
   * @param expAvgSq Adam's second moments
   */
  public record ModelState(
      Map<String, NDArray> weights, Map<String, NDArray> expAvg, Map<String, NDArray> expAvgSq) {
    public ModelState {
      weights = Map.copyOf(weights);
      expAvg = Map.copyOf(expAvg);
      expAvgSq = Map.copyOf(expAvgSq);
    }

    /** {@code model}'s live weights and {@code optimizer}'s live moments. */
    static ModelState of(TransformerModel model, AdamW optimizer) {
      Map<String, NDArray> first = new LinkedHashMap<>();
      Map<String, NDArray> second = new LinkedHashMap<>();
      optimizer
          .state()
          .forEach(
              (key, moment) -> {
                if (key.endsWith(AdamW.EXP_AVG_SQ)) {
                  second.put(strip(key, AdamW.EXP_AVG_SQ), moment);
                } else {
                  first.put(strip(key, AdamW.EXP_AVG), moment);
                }
              });
      return new ModelState(model.weights(), first, second);
    }

    /**
     * Copies the weights into {@code model} and the moments into {@code optimizer}, whose step
     * counter becomes {@code steps}.
     *
     * @throws IllegalArgumentException when the weights do not fit the model or the moments the
     *     optimizer
     */
    void loadInto(TransformerModel model, AdamW optimizer, long steps) {
      int copied = model.copyWeightsFrom(weights);
      if (copied != model.weights().size() || weights.size() != copied) {
        throw new IllegalArgumentException(
            "The checkpoint's "
                + weights.size()
                + " weights fill "
                + copied
                + " of the model's "
                + model.weights().size());
      }
      Map<String, NDArray> state = new LinkedHashMap<>();
      expAvg.forEach((name, m) -> state.put(name + AdamW.EXP_AVG, m));
      expAvgSq.forEach((name, v) -> state.put(name + AdamW.EXP_AVG_SQ, v));
      optimizer.loadState(state, steps);
    }

    private static String strip(String key, String suffix) {
      return key.substring(0, key.length() - suffix.length());
    }
  }
}
