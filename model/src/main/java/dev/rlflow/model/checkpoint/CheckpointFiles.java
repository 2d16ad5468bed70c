package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rlflow.model.checkpoint.SafetensorsHeader.Entry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of a checkpoint directory as {@link HfCheckpoint} reads them: its JSON files, and its
 * weights in {@code model.safetensors} or in shards listed by {@code model.safetensors.index.json},
 * located by their validated headers before any tensor is read.
 */
final class CheckpointFiles {
  /** Larger JSON files than this are corrupt, never something to read into memory. */
  private static final long MAX_JSON_BYTES = SafetensorsHeader.MAX_HEADER_BYTES;

  private CheckpointFiles() {}

  /** Where a tensor lies: a validated header and its entry. */
  record Location(SafetensorsHeader header, Entry entry) {}

  /**
   * Every tensor of a checkpoint's weight files.
   *
   * @param describedBy the file that lists the tensors (model.safetensors or the index), named when
   *     a tensor is missing
   */
  record Weights(Path describedBy, Map<String, Location> locations) {}

  /** The headers of the checkpoint's weight files, checked against the index when sharded. */
  static Weights locate(Path dir) throws IOException {
    Path single = dir.resolve(HfCheckpoint.WEIGHTS_FILE);
    Path indexFile = dir.resolve(HfCheckpoint.INDEX_FILE);
    Map<String, Location> locations = new LinkedHashMap<>();
    if (Files.exists(single)) {
      SafetensorsHeader header = Safetensors.readHeader(single);
      header.entries().forEach(e -> locations.put(e.name(), new Location(header, e)));
      return new Weights(single, locations);
    }
    if (!Files.exists(indexFile)) {
      throw new CorruptCheckpointException(
          dir, "holds neither " + HfCheckpoint.WEIGHTS_FILE + " nor " + HfCheckpoint.INDEX_FILE);
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
              file,
              name,
              "absent from this shard, though " + HfCheckpoint.INDEX_FILE + " maps it here");
        }
        locations.put(name, new Location(header, entry));
      }
      if (!entries.isEmpty()) {
        String name = entries.keySet().iterator().next();
        throw new CorruptCheckpointException(
            file,
            name,
            "present in this shard, though "
                + HfCheckpoint.INDEX_FILE
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
  static Map<String, NDArray> load(Weights weights, List<String> order, NDManager manager)
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

  /** A JSON file of the checkpoint, refused when missing or larger than any sane one. */
  static byte[] readJsonBytes(Path file) throws IOException {
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
}
