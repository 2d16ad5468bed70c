package dev.rlflow.resharding.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import dev.rlflow.resharding.checkpoint.CorruptVersionException.Reason;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON index of a universal checkpoint version (ALGORITHMS.md §7): {@code format}, {@code
 * version} (of the format), the provenance with the policy version, the model's {@code config.json}
 * when it has one, and per tensor its global shape, dtype and fragments (rank, file, byte range,
 * offsets and shape in the global tensor, CRC32C).
 *
 * @param info provenance, policy version and model
 * @param tensors the tensors by name, in name order
 */
public record CheckpointIndex(CheckpointInfo info, Map<String, TensorEntry> tensors) {

  /** The {@code format} field: what wrote the file. */
  public static final String FORMAT = "rlflow-universal-checkpoint";

  /** The {@code version} field: the layout of this index a reader understands. */
  public static final int FORMAT_VERSION = 1;

  /** The prefix of optimizer state: Adam moments are tensors like any other (ALGORITHMS.md §7). */
  public static final String OPTIMIZER_PREFIX = "optimizer/";

  /** Strict JSON: a duplicated key or trailing garbage is corruption, not a choice to make. */
  static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  public CheckpointIndex {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /**
   * The name of Adam's first moment of parameter {@code name}: {@code optimizer/exp_avg/<name>}.
   */
  public static String expAvg(String name) {
    return OPTIMIZER_PREFIX + "exp_avg/" + name;
  }

  /** The name of Adam's second moment: {@code optimizer/exp_avg_sq/<name>}. */
  public static String expAvgSq(String name) {
    return OPTIMIZER_PREFIX + "exp_avg_sq/" + name;
  }

  /** Bytes of every tensor. */
  public long totalBytes() {
    return tensors.values().stream().mapToLong(TensorEntry::bytes).sum();
  }

  /** The index as pretty-printed JSON. */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT).put("version", FORMAT_VERSION);
    Provenance p = info.provenance();
    root.putObject("provenance")
        .put("run_id", p.runId())
        .put("config_hash", p.configHash())
        .put("seed", p.seed())
        .put("policy_version", info.policyVersion())
        .put("code_version", p.codeVersion());
    info.model().ifPresent(model -> root.set("model_config", configTree(model)));
    ObjectNode all = root.putObject("tensors");
    tensors.forEach(
        (name, tensor) -> {
          ObjectNode node = all.putObject(name);
          node.put("dtype", tensor.dtype().name());
          longs(node.putArray("shape"), tensor.shape());
          ArrayNode fragments = node.putArray("fragments");
          for (FragmentEntry f : tensor.fragments()) {
            ObjectNode fragment = fragments.addObject().put("rank", f.rank()).put("file", f.file());
            fragment.putArray("byte_range").add(f.begin()).add(f.end());
            longs(fragment.putArray("offsets"), f.region().offsets());
            longs(fragment.putArray("shape"), f.region().shape());
            fragment.put("crc32c", f.crc32c());
          }
        });
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of numbers and strings always serializes", e);
    }
  }

  /**
   * The index in {@code json}, read from {@code uri}.
   *
   * @throws CorruptVersionException MALFORMED_INDEX naming the field and the rule when it is not an
   *     index of this format, NOT_TILED when a tensor's fragments do not tile its shape
   */
  static CheckpointIndex parse(String uri, byte[] json) {
    Fields root = Fields.of(uri, "index", parseTree(uri, json));
    if (!FORMAT.equals(root.text("format")) || root.integer("version") != FORMAT_VERSION) {
      throw malformed(
          uri, null, "format must be \"" + FORMAT + "\" version " + FORMAT_VERSION, null);
    }
    Fields p = root.object("provenance");
    CheckpointInfo info;
    try {
      info =
          new CheckpointInfo(
              new Provenance(
                  p.text("run_id"),
                  p.text("config_hash"),
                  p.integer("seed"),
                  p.text("code_version")),
              p.integer("policy_version"),
              root.has("model_config")
                  ? Optional.of(modelConfig(uri, root.object("model_config").node()))
                  : Optional.empty());
    } catch (IllegalArgumentException e) {
      throw malformed(uri, null, "provenance: " + e.getMessage(), e);
    }
    Map<String, TensorEntry> tensors = new LinkedHashMap<>();
    Fields all = root.object("tensors");
    for (String name : all.names()) {
      TensorEntry tensor = tensor(uri, name, all.object(name));
      tensor
          .tilingProblem()
          .ifPresent(
              rule -> {
                throw new CorruptVersionException(uri, name, Reason.NOT_TILED, rule);
              });
      tensors.put(name, tensor);
    }
    return new CheckpointIndex(info, tensors);
  }

  private static TensorEntry tensor(String uri, String name, Fields node) {
    String dtypeName = node.text("dtype");
    TensorDtype dtype =
        TensorDtype.of(dtypeName)
            .orElseThrow(
                () ->
                    malformed(
                        uri,
                        name,
                        "dtype " + dtypeName + " is none of " + TensorDtype.SUPPORTED,
                        null));
    long[] shape = node.longs("shape");
    List<FragmentEntry> fragments = new ArrayList<>();
    for (Fields f : node.objects("fragments")) {
      long[] range = f.longs("byte_range");
      if (range.length != 2) {
        throw malformed(uri, name, "byte_range must be [begin, end]", null);
      }
      try {
        fragments.add(
            new FragmentEntry(
                Math.toIntExact(f.integer("rank")),
                fileName(uri, name, f.text("file")),
                range[0],
                range[1],
                new TensorRegion(f.longs("offsets"), f.longs("shape")),
                f.integer("crc32c")));
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw malformed(uri, name, e.getMessage(), e);
      }
    }
    try {
      Math.multiplyExact(TensorRegion.volume(shape), dtype.bytes);
    } catch (ArithmeticException e) {
      throw malformed(uri, name, "shape has more bytes than a long counts", e);
    }
    return new TensorEntry(name, dtype, shape, fragments);
  }

  /** A fragment's file must be a plain name inside the version directory, never a path out. */
  private static String fileName(String uri, String tensor, String file) {
    if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
      throw malformed(uri, tensor, "file \"" + file + "\" must be a plain file name", null);
    }
    return file;
  }

  private static JsonNode configTree(ModelConfig model) {
    try {
      return JSON.readTree(HfCheckpoint.configJson(model));
    } catch (IOException e) {
      throw new IllegalStateException("config.json as rendered is JSON", e);
    }
  }

  private static ModelConfig modelConfig(String uri, JsonNode node) {
    try {
      return HfCheckpoint.parseConfigJson(Path.of("model_config"), JSON.writeValueAsBytes(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed tree always serializes", e);
    } catch (RuntimeException e) {
      throw malformed(uri, null, e.getMessage(), e);
    }
  }

  private static JsonNode parseTree(String uri, byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw malformed(uri, null, "not valid JSON: " + e.getMessage(), e);
    }
  }

  static CorruptVersionException malformed(
      String uri, String tensor, String rule, Throwable cause) {
    return new CorruptVersionException(uri, tensor, Reason.MALFORMED_INDEX, rule, cause);
  }

  private static void longs(ArrayNode array, long[] values) {
    for (long value : values) {
      array.add(value);
    }
  }

  /** Typed access to one JSON object of the index; each failure names the field and the rule. */
  private record Fields(String uri, String where, JsonNode node) {

    static Fields of(String uri, String where, JsonNode node) {
      if (node == null || !node.isObject()) {
        throw malformed(uri, null, where + " must be a JSON object", null);
      }
      return new Fields(uri, where, node);
    }

    boolean has(String key) {
      return node.has(key);
    }

    List<String> names() {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      return names;
    }

    Fields object(String key) {
      return Fields.of(uri, where + "." + key, require(key));
    }

    List<Fields> objects(String key) {
      JsonNode array = require(key);
      if (!array.isArray()) {
        throw invalid(key, "an array of objects");
      }
      List<Fields> objects = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        objects.add(Fields.of(uri, where + "." + key + "[" + i + "]", array.get(i)));
      }
      return objects;
    }

    String text(String key) {
      JsonNode value = require(key);
      if (!value.isTextual()) {
        throw invalid(key, "a string");
      }
      return value.textValue();
    }

    long integer(String key) {
      JsonNode value = require(key);
      if (!value.isIntegralNumber() || !value.canConvertToLong()) {
        throw invalid(key, "an integer");
      }
      return value.longValue();
    }

    long[] longs(String key) {
      JsonNode array = require(key);
      long[] values = new long[array.isArray() ? array.size() : 0];
      for (int i = 0; i < values.length; i++) {
        JsonNode value = array.get(i);
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
          throw invalid(key, "an array of integers >= 0");
        }
        values[i] = value.longValue();
      }
      if (!array.isArray()) {
        throw invalid(key, "an array of integers >= 0");
      }
      return values;
    }

    private JsonNode require(String key) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull()) {
        throw malformed(uri, null, where + "." + key + " is missing", null);
      }
      return value;
    }

    private CorruptVersionException invalid(String key, String rule) {
      String found = String.valueOf(node.get(key));
      return malformed(
          uri,
          null,
          where
              + "."
              + key
              + " must be "
              + rule
              + ", found "
              + (found.length() > 80 ? found.substring(0, 77) + "..." : found),
          null);
    }
  }
}
