package dev.rlflow.training.rl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import dev.rlflow.model.checkpoint.LoadedCheckpoint;
import dev.rlflow.model.checkpoint.Safetensors;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.optim.AdamW;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The layout of one save of an RL trainer, a directory holding all its tensors in FP32 so that a
 * restore gets the same bits back:
 *
 * <pre>
 * policy/                        the policy (Hugging Face layout)
 * optimizer.safetensors          the actor's Adam moments
 * critic/                        ppo: the critic
 * critic-optimizer.safetensors   ppo: the critic's Adam moments
 * replay.bin                     raft with replay: the replay buffer
 * policy-v&lt;v&gt;/                   older policy versions that batches still in the rollout need
 * </pre>
 *
 * The counters beside it ({@link Counters}) are small enough for the caller's own state.
 */
public final class TrainerCheckpoint {

  /**
   * The counters of a trainer's state; the tensors are in the directory.
   *
   * @param iterations iterations run: the seed of the next minibatch order (the trainer's RNG)
   * @param actorSteps the actor optimizer's step counter (Adam's bias correction)
   * @param criticSteps the critic optimizer's step counter, 0 without a critic
   * @param klCoef the KL controller's beta for the next batch
   */
  public record Counters(long iterations, long actorSteps, long criticSteps, double klCoef) {}

  /** A model and its optimizer's moments, as saved. */
  enum Part {
    ACTOR("policy", "optimizer.safetensors"),
    CRITIC("critic", "critic-optimizer.safetensors");

    private final String model;
    private final String moments;

    Part(String model, String moments) {
      this.model = model;
      this.moments = moments;
    }
  }

  private static final String REPLAY = "replay.bin";

  private final Path dir;

  /** The save in directory {@code dir}. */
  public TrainerCheckpoint(Path dir) {
    this.dir = dir;
  }

  /**
   * Writes {@code weights} of policy version {@code version} (of architecture {@code config}) with
   * the {@code provenance} of the run that trained them.
   */
  public void writeOlderPolicy(
      long version, ModelConfig config, Map<String, NDArray> weights, Provenance provenance)
      throws IOException {
    HfCheckpoint.write(olderPolicy(version), config, weights, Long.MAX_VALUE, provenance);
  }

  /** Reads policy version {@code version} into {@code staging}. */
  public Map<String, NDArray> readOlderPolicy(long version, NDManager staging) throws IOException {
    return HfCheckpoint.read(olderPolicy(version), staging).tensors();
  }

  private Path olderPolicy(long version) {
    return dir.resolve("policy-v" + version);
  }

  /**
   * Writes {@code model} (with its {@code provenance}) and {@code optimizer}'s moments as {@code
   * part}.
   */
  void write(Part part, TransformerModel model, AdamW optimizer, Provenance provenance)
      throws IOException {
    Files.createDirectories(dir);
    ModelCheckpoint.save(model, dir.resolve(part.model), Long.MAX_VALUE, provenance);
    Safetensors.write(dir.resolve(part.moments), optimizer.state(), Map.of());
  }

  /**
   * Loads {@code part} into {@code model} and {@code optimizer}, whose step counter becomes {@code
   * steps}.
   *
   * @throws IOException when a file is missing or unreadable
   * @throws IllegalArgumentException when the saved tensors do not fit the model
   */
  void read(Part part, TransformerModel model, AdamW optimizer, long steps) throws IOException {
    Path modelDir = dir.resolve(part.model);
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      LoadedCheckpoint saved = HfCheckpoint.read(modelDir, staging);
      int copied = model.copyWeightsFrom(saved.tensors());
      if (copied != model.weights().size()) {
        throw new IllegalArgumentException(
            "Checkpoint "
                + modelDir
                + " holds "
                + copied
                + " of the model's "
                + model.weights().size()
                + " weights");
      }
    }
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      optimizer.loadState(Safetensors.read(dir.resolve(part.moments), staging).tensors(), steps);
    }
  }

  /** Where the replay buffer is saved. */
  Path replay() {
    return dir.resolve(REPLAY);
  }
}
