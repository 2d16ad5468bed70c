package dev.rlflow.model.transformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.checkpoint.CorruptCheckpointException;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import dev.rlflow.model.checkpoint.LoadedCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link TransformerModel} as a Hugging Face checkpoint directory: config.json and safetensors in
 * FP32 ({@link HfCheckpoint}), with the run's provenance beside them when given.
 */
public final class ModelCheckpoint {

  private ModelCheckpoint() {}

  /**
   * Loads a Hugging Face checkpoint directory for {@code head}. Head weights the checkpoint lacks
   * (a critic or PRM started from a policy checkpoint) are drawn from {@code seed}; every backbone
   * weight must be there.
   *
   * @throws CorruptCheckpointException when a file or tensor is damaged or does not fit
   */
  public static TransformerModel load(
      Path dir, TransformerModel.Head head, ComputeTarget target, long seed) throws IOException {
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      LoadedCheckpoint checkpoint = HfCheckpoint.read(dir, staging);
      TransformerModel model =
          TransformerModel.create(checkpoint.config(), head, target.dtype(), target.device(), seed);
      Map<String, NDArray> tensors = checkpoint.tensors();
      for (String name : model.shapes().keySet()) {
        boolean headWeight = name.startsWith(model.headName() + ".");
        if (!tensors.containsKey(name) && !headWeight) {
          model.close();
          throw new CorruptCheckpointException(dir, name, "missing from the checkpoint");
        }
      }
      model.copyWeightsFrom(tensors);
      return model;
    }
  }

  /**
   * Writes {@code model} as a Hugging Face checkpoint directory (config.json + safetensors in FP32,
   * sharded above {@code maxShardBytes}); the directory appears complete or not at all.
   */
  public static void save(TransformerModel model, Path dir, long maxShardBytes) throws IOException {
    save(model, dir, maxShardBytes, null);
  }

  /**
   * Writes {@code model} as {@link #save(TransformerModel, Path, long)} does, recording {@code
   * provenance} (when not null) beside the weights ({@link HfCheckpoint#readProvenance}); the
   * weight files are the same bytes either way.
   */
  public static void save(
      TransformerModel model, Path dir, long maxShardBytes, Provenance provenance)
      throws IOException {
    Map<String, NDArray> fp32 = new LinkedHashMap<>();
    try (NDManager staging = model.manager().newSubManager()) {
      model.weights().forEach((name, w) -> fp32.put(name, toFp32(w, staging)));
      HfCheckpoint.write(dir, model.config(), fp32, maxShardBytes, provenance);
    }
  }

  private static NDArray toFp32(NDArray weight, NDManager staging) {
    if (weight.getDataType() == DataType.FLOAT32) {
      return weight;
    }
    NDArray converted = weight.toType(DataType.FLOAT32, true);
    converted.attach(staging);
    return converted;
  }
}
