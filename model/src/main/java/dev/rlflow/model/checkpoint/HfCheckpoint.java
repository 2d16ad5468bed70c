package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Reads and writes a model as a Hugging Face checkpoint directory: {@code config.json} plus either
 * {@code model.safetensors} or shards listed in {@code model.safetensors.index.json}, with the
 * parameter names of {@link HfLayout}, and the {@link Provenance} of what rlflow trains in {@code
 * provenance.json} (a file transformers ignores). Such a directory loads in transformers' {@code
 * from_pretrained} and back.
 */
public final class HfCheckpoint {

  static final String CONFIG_FILE = "config.json";
  static final String WEIGHTS_FILE = "model.safetensors";
  static final String INDEX_FILE = "model.safetensors.index.json";
  static final String PROVENANCE_FILE = "provenance.json";

  /** Tensor bytes per shard at most, leaving room for the header below the file limit. */
  static final long SHARD_DATA_CAP = Safetensors.MAX_FILE_BYTES - (64L << 20);

  /** transformers refuses safetensors files whose metadata lacks this format tag. */
  private static final Map<String, String> SHARD_METADATA = Map.of("format", "pt");

  private HfCheckpoint() {}

  /**
   * The model described by {@code dir/config.json}.
   *
   * @throws CorruptCheckpointException when config.json is missing, not JSON, lacks a required key,
   *     names a model_type other than llama or qwen2, or asks for a feature this model family lacks
   *     (RoPE scaling, an activation other than SiLU, sliding-window attention, ...)
   * @throws NoSuchFileException when {@code dir} is not a directory
   */
  public static ModelConfig readConfig(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "not a checkpoint directory");
    }
    Path file = dir.resolve(CONFIG_FILE);
    return ConfigJson.parse(file, CheckpointFiles.readJsonBytes(file));
  }

  /**
   * The {@code config.json} bytes {@link #write} puts beside FP32 weights of {@code config}, for
   * other formats that carry a model's configuration (the universal checkpoint's index).
   */
  public static byte[] configJson(ModelConfig config) {
    return ConfigJson.render(config, StoredDtype.F32);
  }

  /**
   * The model described by {@code config.json} bytes read from {@code source}, checked as {@link
   * #readConfig} checks a file.
   *
   * @throws CorruptCheckpointException naming {@code source} when the bytes are no valid config
   */
  public static ModelConfig parseConfigJson(Path source, byte[] json) {
    return ConfigJson.parse(source, json);
  }

  /**
   * Checks the checkpoint in {@code dir} as {@link #read} does before it allocates a tensor — its
   * config, every file's header, every tensor's name, shape and dtype — without reading tensor
   * data, so that a client can refuse a bad checkpoint before a job starts.
   *
   * @return the model its config describes
   * @throws CorruptCheckpointException naming the file and tensor when a file is malformed, a shard
   *     named by the index is missing, or a tensor is missing, unexpected or of the wrong shape
   * @throws NoSuchFileException when {@code dir} is not a directory
   * @throws IOException when a file cannot be read
   */
  public static ModelConfig verify(Path dir) throws IOException {
    ModelConfig config = readConfig(dir);
    checked(config, CheckpointFiles.locate(dir));
    return config;
  }

  /**
   * Loads the checkpoint in {@code dir} into {@code manager}, floating-point tensors as FP32, after
   * checking every tensor's name and shape against {@link HfLayout#expectedShapes} of its config;
   * the value and step-score heads are loaded too when present and shaped right.
   *
   * <p>All checks run on the files' headers before any tensor is allocated. When {@code
   * model.safetensors} and an index are both present, {@code model.safetensors} wins, as in
   * transformers. The index's {@code total_size} is not checked (producers differ on it).
   *
   * @throws CorruptCheckpointException naming the file and tensor when a file is malformed, a shard
   *     named by the index is missing, or a tensor is missing, unexpected or of the wrong shape
   * @throws NoSuchFileException when {@code dir} is not a directory
   * @throws IOException when a file cannot be read
   */
  public static LoadedCheckpoint read(Path dir, NDManager manager) throws IOException {
    ModelConfig config = readConfig(dir);
    CheckpointFiles.Weights weights = CheckpointFiles.locate(dir);
    Map<String, Shape> shapes = checked(config, weights);
    return new LoadedCheckpoint(
        config, CheckpointFiles.load(weights, HfLayout.order(config, shapes), manager));
  }

  /** The tensors' shapes by name, after checking them against {@code config}'s layout. */
  private static Map<String, Shape> checked(ModelConfig config, CheckpointFiles.Weights weights) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    weights.locations().forEach((name, at) -> shapes.put(name, at.entry().shape()));
    Optional<HfLayout.Mismatch> mismatch = HfLayout.mismatch(config, shapes);
    if (mismatch.isPresent()) {
      CheckpointFiles.Location at = weights.locations().get(mismatch.get().tensor());
      Path file = at == null ? weights.describedBy() : at.header().file();
      throw new CorruptCheckpointException(file, mismatch.get().tensor(), mismatch.get().problem());
    }
    for (CheckpointFiles.Location at : weights.locations().values()) {
      if (!at.entry().dtype().floating) {
        throw new CorruptCheckpointException(
            at.header().file(),
            at.entry().name(),
            "dtype " + at.entry().dtype() + " is not a floating-point type");
      }
    }
    return shapes;
  }

  /**
   * Writes {@code tensors} in FP32 with {@code config} as a checkpoint directory; see {@link
   * #write(Path, ModelConfig, Map, long, StoredDtype)}.
   */
  public static void write(
      Path dir, ModelConfig config, Map<String, NDArray> tensors, long maxShardBytes)
      throws IOException {
    write(dir, config, tensors, maxShardBytes, StoredDtype.F32, null);
  }

  /**
   * Writes {@code tensors} in FP32 with {@code config} as a checkpoint directory that records
   * {@code provenance} in {@code provenance.json} (none when null); see {@link #write(Path,
   * ModelConfig, Map, long, StoredDtype)}. The weight files are the same bytes as without it.
   */
  public static void write(
      Path dir,
      ModelConfig config,
      Map<String, NDArray> tensors,
      long maxShardBytes,
      Provenance provenance)
      throws IOException {
    write(dir, config, tensors, maxShardBytes, StoredDtype.F32, provenance);
  }

  /**
   * Writes {@code tensors} (named and shaped as {@link HfLayout} says for {@code config}, heads
   * optional) as the checkpoint directory {@code dir}, floating-point tensors stored as {@code
   * dtype}, in shards of at most {@code maxShardBytes} tensor bytes each (a larger tensor gets a
   * shard of its own, and no shard reaches {@link Safetensors#MAX_FILE_BYTES}).
   *
   * <p>One shard is written as {@code model.safetensors}, several as {@code
   * model-0000i-of-0000n.safetensors} with an index, as transformers does. The directory appears
   * atomically: everything is written into a sibling {@code <dir>.tmp-<uuid>} that is then renamed,
   * so a reader never sees half a checkpoint. A checkpoint is written once: {@code dir} must not
   * exist or be empty.
   *
   * @throws IllegalArgumentException when a tensor is missing, unexpected, of the wrong shape or
   *     not of a floating-point type, or {@code maxShardBytes < 1}
   * @throws FileAlreadyExistsException when {@code dir} exists and is not an empty directory
   * @throws IOException when a file cannot be written
   */
  public static void write(
      Path dir,
      ModelConfig config,
      Map<String, NDArray> tensors,
      long maxShardBytes,
      StoredDtype dtype)
      throws IOException {
    write(dir, config, tensors, maxShardBytes, dtype, null);
  }

  /** The checkpoint writer, with {@code provenance.json} when {@code provenance} is not null. */
  private static void write(
      Path dir,
      ModelConfig config,
      Map<String, NDArray> tensors,
      long maxShardBytes,
      StoredDtype dtype,
      Provenance provenance)
      throws IOException {
    if (maxShardBytes < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + maxShardBytes + " for maxShardBytes: must be >= 1");
    }
    Map<String, Shape> shapes = new LinkedHashMap<>();
    tensors.forEach((name, array) -> shapes.put(name, array.getShape()));
    HfLayout.mismatch(config, shapes)
        .ifPresent(
            m -> {
              throw new IllegalArgumentException(
                  "tensor " + m.tensor() + ": " + m.problem() + " (writing " + dir + ")");
            });
    for (Map.Entry<String, NDArray> tensor : tensors.entrySet()) {
      DataType type = tensor.getValue().getDataType();
      if (!type.isFloating()) {
        throw new IllegalArgumentException(
            "tensor " + tensor.getKey() + ": DJL data type " + type + " is not floating-point");
      }
    }
    List<List<String>> shards =
        shard(HfLayout.order(config, shapes), tensors, maxShardBytes, dtype);

    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "exists and is not empty: a checkpoint is written once");
    }
    Files.createDirectories(target.getParent());
    Path staging = target.resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
    Files.createDirectory(staging);
    try {
      Map<String, String> weightMap = new TreeMap<>();
      long totalBytes = 0;
      for (int i = 0; i < shards.size(); i++) {
        String fileName =
            shards.size() == 1
                ? WEIGHTS_FILE
                : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
        Map<String, NDArray> shard = new LinkedHashMap<>();
        for (String name : shards.get(i)) {
          shard.put(name, tensors.get(name));
          weightMap.put(name, fileName);
          totalBytes += storedBytes(tensors.get(name), dtype);
        }
        Safetensors.write(staging.resolve(fileName), shard, SHARD_METADATA, dtype);
      }
      if (shards.size() > 1) {
        ObjectNode index = SafetensorsHeader.JSON.createObjectNode();
        index.putObject("metadata").put("total_size", totalBytes);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.write(
            staging.resolve(INDEX_FILE),
            SafetensorsHeader.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
      }
      Files.write(staging.resolve(CONFIG_FILE), ConfigJson.render(config, dtype));
      if (provenance != null) {
        Files.write(staging.resolve(PROVENANCE_FILE), provenance.toJson());
      }
      Files.deleteIfExists(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        DirectoryTree.delete(staging);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * The provenance recorded in the checkpoint {@code dir}; empty for a checkpoint written without
   * one (from elsewhere, or by rlflow before provenance was recorded).
   *
   * @throws CorruptCheckpointException when {@code provenance.json} is not a valid provenance
   */
  public static Optional<Provenance> readProvenance(Path dir) throws IOException {
    Path file = dir.resolve(PROVENANCE_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Provenance.fromJson(CheckpointFiles.readJsonBytes(file)));
    } catch (JsonProcessingException e) {
      throw new CorruptCheckpointException(
          file, "not a valid provenance: " + e.getOriginalMessage());
    }
  }

  /** Greedy sharding in model order, as transformers' {@code save_pretrained} does. */
  private static List<List<String>> shard(
      List<String> order, Map<String, NDArray> tensors, long maxShardBytes, StoredDtype dtype) {
    long cap = Math.min(maxShardBytes, SHARD_DATA_CAP);
    List<List<String>> shards = new ArrayList<>();
    List<String> current = new ArrayList<>();
    long currentBytes = 0;
    for (String name : order) {
      long bytes = storedBytes(tensors.get(name), dtype);
      if (!current.isEmpty() && currentBytes + bytes > cap) {
        shards.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(name);
      currentBytes += bytes;
    }
    shards.add(current);
    return shards;
  }

  private static long storedBytes(NDArray array, StoredDtype dtype) {
    return array.getShape().size() * dtype.dtype.bytes;
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }
}
