package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.checkpoint.SafetensorsHeader.Entry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

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

  /** Larger JSON files than this are corrupt, never something to read into memory. */
  private static final long MAX_JSON_BYTES = SafetensorsHeader.MAX_HEADER_BYTES;

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
    return ConfigJson.parse(file, readJsonBytes(file));
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
    Weights weights = locate(dir);
    Map<String, Shape> shapes = new LinkedHashMap<>();
    weights.locations().forEach((name, at) -> shapes.put(name, at.entry().shape()));
    Optional<Mismatch> mismatch = mismatch(config, shapes);
    if (mismatch.isPresent()) {
      Location at = weights.locations().get(mismatch.get().tensor());
      Path file = at == null ? weights.describedBy() : at.header().file();
      throw new CorruptCheckpointException(file, mismatch.get().tensor(), mismatch.get().problem());
    }
    for (Location at : weights.locations().values()) {
      if (!at.entry().dtype().floating) {
        throw new CorruptCheckpointException(
            at.header().file(),
            at.entry().name(),
            "dtype " + at.entry().dtype() + " is not a floating-point type");
      }
    }
    return new LoadedCheckpoint(config, load(weights, layoutOrder(config, shapes), manager));
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
    mismatch(config, shapes)
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
    List<List<String>> shards = shard(layoutOrder(config, shapes), tensors, maxShardBytes, dtype);

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
      return Optional.of(Provenance.fromJson(readJsonBytes(file)));
    } catch (JsonProcessingException e) {
      throw new CorruptCheckpointException(
          file, "not a valid provenance: " + e.getOriginalMessage());
    }
  }

  /** Where a tensor lies: a validated header and its entry. */
  private record Location(SafetensorsHeader header, Entry entry) {}

  /**
   * Every tensor of a checkpoint's weight files.
   *
   * @param describedBy the file that lists the tensors (model.safetensors or the index), named when
   *     a tensor is missing
   */
  private record Weights(Path describedBy, Map<String, Location> locations) {}

  /** A tensor that does not fit the layout, and why. */
  record Mismatch(String tensor, String problem) {}

  /**
   * The first way {@code shapes} differ from what a model of {@code config} holds: a backbone
   * tensor missing or misshapen, a head incomplete or misshapen, or a tensor no such model has.
   */
  static Optional<Mismatch> mismatch(ModelConfig config, Map<String, Shape> shapes) {
    Map<String, Shape> expected = HfLayout.expectedShapes(config);
    // A critic or PRM checkpoint carries its own head instead of the LM head (as a Hugging Face
    // token-classification model does), also when the embeddings are untied.
    boolean otherHead =
        shapes.containsKey(HfLayout.VALUE_HEAD_WEIGHT)
            || shapes.containsKey(HfLayout.STEP_SCORE_WEIGHT);
    for (Map.Entry<String, Shape> parameter : expected.entrySet()) {
      Shape shape = shapes.get(parameter.getKey());
      if (shape == null && otherHead && parameter.getKey().equals(HfLayout.LM_HEAD)) {
        continue;
      }
      if (shape == null) {
        return Optional.of(
            new Mismatch(
                parameter.getKey(),
                "missing, though config.json expects shape "
                    + SafetensorsHeader.shapeString(parameter.getValue())));
      }
      if (!shape.equals(parameter.getValue())) {
        return Optional.of(wrongShape(parameter.getKey(), shape, parameter.getValue()));
      }
    }
    for (Map<String, Shape> head :
        List.of(HfLayout.valueHeadShapes(config), HfLayout.stepScoreHeadShapes(config))) {
      boolean any = head.keySet().stream().anyMatch(shapes::containsKey);
      for (Map.Entry<String, Shape> parameter : head.entrySet()) {
        Shape shape = shapes.get(parameter.getKey());
        if (any && shape == null) {
          return Optional.of(
              new Mismatch(
                  parameter.getKey(),
                  "missing, though the rest of its head is present (expected shape "
                      + SafetensorsHeader.shapeString(parameter.getValue())
                      + ")"));
        }
        if (shape != null && !shape.equals(parameter.getValue())) {
          return Optional.of(wrongShape(parameter.getKey(), shape, parameter.getValue()));
        }
      }
    }
    for (String name : new TreeSet<>(shapes.keySet())) {
      if (!expected.containsKey(name)
          && !HfLayout.valueHeadShapes(config).containsKey(name)
          && !HfLayout.stepScoreHeadShapes(config).containsKey(name)) {
        return Optional.of(
            new Mismatch(
                name,
                "unexpected: not a parameter of a "
                    + config.architecture().name().toLowerCase(Locale.ROOT)
                    + " model with "
                    + (config.tieEmbeddings() ? "tied" : "untied")
                    + " embeddings and "
                    + config.numLayers()
                    + " layers"));
      }
    }
    return Optional.empty();
  }

  private static Mismatch wrongShape(String name, Shape found, Shape expected) {
    return new Mismatch(
        name,
        "shape "
            + SafetensorsHeader.shapeString(found)
            + " does not match "
            + SafetensorsHeader.shapeString(expected)
            + " expected by config.json");
  }

  /** The names in {@code shapes} (already checked) in model order, heads last. */
  private static List<String> layoutOrder(ModelConfig config, Map<String, Shape> shapes) {
    List<String> order = new ArrayList<>(HfLayout.expectedShapes(config).keySet());
    order.retainAll(shapes.keySet()); // the LM head is absent from critic and PRM checkpoints
    Stream.concat(
            HfLayout.valueHeadShapes(config).keySet().stream(),
            HfLayout.stepScoreHeadShapes(config).keySet().stream())
        .filter(shapes::containsKey)
        .forEach(order::add);
    return order;
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

  /** The headers of the checkpoint's weight files, checked against the index when sharded. */
  private static Weights locate(Path dir) throws IOException {
    Path single = dir.resolve(WEIGHTS_FILE);
    Path indexFile = dir.resolve(INDEX_FILE);
    Map<String, Location> locations = new LinkedHashMap<>();
    if (Files.exists(single)) {
      SafetensorsHeader header = Safetensors.readHeader(single);
      header.entries().forEach(e -> locations.put(e.name(), new Location(header, e)));
      return new Weights(single, locations);
    }
    if (!Files.exists(indexFile)) {
      throw new CorruptCheckpointException(
          dir, "holds neither " + WEIGHTS_FILE + " nor " + INDEX_FILE);
    }
    Map<String, String> weightMap = readWeightMap(indexFile);
    Map<String, List<String>> byShard = new TreeMap<>();
    weightMap.forEach(
        (name, shard) -> byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(name));
    Path base = dir.toAbsolutePath().normalize();
    for (Map.Entry<String, List<String>> shard : byShard.entrySet()) {
      String shardName = shard.getKey();
      String firstTensor = shard.getValue().get(0);
      Path file = base.resolve(shardName).normalize();
      if (shardName.isEmpty() || !base.equals(file.getParent())) {
        throw new CorruptCheckpointException(
            indexFile,
            firstTensor,
            "shard \"" + shardName + "\" is not a file name in the checkpoint directory");
      }
      if (!Files.isRegularFile(file)) {
        throw new CorruptCheckpointException(
            indexFile, firstTensor, "maps to shard " + shardName + ", which does not exist");
      }
      SafetensorsHeader header = Safetensors.readHeader(file);
      Map<String, Entry> entries = new LinkedHashMap<>();
      header.entries().forEach(e -> entries.put(e.name(), e));
      for (String name : shard.getValue()) {
        Entry entry = entries.remove(name);
        if (entry == null) {
          throw new CorruptCheckpointException(
              file, name, "absent from this shard, though " + INDEX_FILE + " maps it here");
        }
        locations.put(name, new Location(header, entry));
      }
      if (!entries.isEmpty()) {
        String name = entries.keySet().iterator().next();
        throw new CorruptCheckpointException(
            file,
            name,
            "present in this shard, though "
                + INDEX_FILE
                + (weightMap.containsKey(name)
                    ? " maps it to " + weightMap.get(name)
                    : " does not list it"));
      }
    }
    return new Weights(indexFile, locations);
  }

  private static Map<String, String> readWeightMap(Path indexFile) throws IOException {
    JsonNode root;
    try {
      root = SafetensorsHeader.JSON.readTree(readJsonBytes(indexFile));
    } catch (JsonProcessingException e) {
      throw new CorruptCheckpointException(
          indexFile, null, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CorruptCheckpointException(indexFile, "weight_map must be an object");
    }
    Map<String, String> weightMap = new TreeMap<>();
    for (Map.Entry<String, JsonNode> field : map.properties()) {
      if (!field.getValue().isTextual()) {
        throw new CorruptCheckpointException(
            indexFile,
            field.getKey(),
            "weight_map value must be a shard file name, found " + field.getValue());
      }
      weightMap.put(field.getKey(), field.getValue().textValue());
    }
    return weightMap;
  }

  /** Loads the tensors {@code order} names, file by file; on failure frees what it made. */
  private static Map<String, NDArray> load(Weights weights, List<String> order, NDManager manager)
      throws IOException {
    Map<Path, List<Location>> byFile = new TreeMap<>();
    for (String name : order) {
      Location at = weights.locations().get(name);
      byFile.computeIfAbsent(at.header().file(), f -> new ArrayList<>()).add(at);
    }
    Map<String, NDArray> loaded = new LinkedHashMap<>();
    boolean complete = false;
    try {
      for (Map.Entry<Path, List<Location>> file : byFile.entrySet()) {
        try (FileChannel channel = FileChannel.open(file.getKey(), StandardOpenOption.READ)) {
          for (Location at : file.getValue()) {
            loaded.put(
                at.entry().name(),
                Safetensors.readTensor(channel, at.header(), at.entry(), manager));
          }
        }
      }
      complete = true;
    } finally {
      if (!complete) {
        loaded.values().forEach(NDArray::close);
      }
    }
    Map<String, NDArray> ordered = new LinkedHashMap<>();
    order.forEach(name -> ordered.put(name, loaded.get(name)));
    return ordered;
  }

  private static byte[] readJsonBytes(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new CorruptCheckpointException(file, "missing from the checkpoint directory");
    }
    long size = Files.size(file);
    if (size > MAX_JSON_BYTES) {
      throw new CorruptCheckpointException(
          file, size + " bytes exceed the limit of " + MAX_JSON_BYTES + " bytes for a JSON file");
    }
    return Files.readAllBytes(file);
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
