package dev.rlflow.jobs.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.flink.core.fs.Path;

/**
 * The outcome of a whole run, its {@code summary.json}.
 *
 * <p>The file holds {@code run_id}, {@code config_hash}, {@code wall_seconds} (the whole run), one
 * key {@code <stage>_accuracy} per stage with an {@code accuracy} figure (e.g. {@code
 * sft_accuracy}), and {@code stages}: one object per stage with its {@code name}, {@code
 * wall_seconds} and its figures as further keys, e.g. {@code {"name": "sft", "wall_seconds": 812.5,
 * "accuracy": 0.62, "loss": 0.41}}. The {@code <stage>_accuracy} keys are derived from the stages
 * when writing and ignored when reading.
 *
 * @param runId the run's id
 * @param configHash the hash of the resolved configuration
 * @param wallSeconds the run's wall time in seconds
 * @param stages the stages in the order they ran, with distinct names
 * @param weightsSha256 the SHA-256 of the final policy's weights, {@code weights_sha256}, when an
 *     RL stage wrote it
 */
public record RunSummary(
    String runId,
    String configHash,
    double wallSeconds,
    List<Stage> stages,
    Optional<String> weightsSha256) {
  /** The file's name inside a run directory. */
  public static final String FILE_NAME = "summary.json";

  /** Validates the summary and copies the stages. */
  public RunSummary {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("Invalid value '" + runId + "' for run_id: blank");
    }
    if (configHash == null) {
      throw new IllegalArgumentException("config_hash must be present");
    }
    checkSeconds("wall_seconds", wallSeconds);
    stages = List.copyOf(stages);
    Objects.requireNonNull(weightsSha256, "weightsSha256");
    Set<StageName> names = EnumSet.noneOf(StageName.class);
    for (Stage stage : stages) {
      if (!names.add(stage.name())) {
        throw new IllegalArgumentException(
            "Invalid stages: the name '" + stage.name() + "' appears twice");
      }
    }
  }

  /** A summary without weights checksum. */
  public RunSummary(String runId, String configHash, double wallSeconds, List<Stage> stages) {
    this(runId, configHash, wallSeconds, stages, Optional.empty());
  }

  /**
   * One stage of the run.
   *
   * @param name the stage's name, e.g. {@link StageName#SFT}
   * @param wallSeconds its wall time in seconds
   * @param figures its final figures by name, e.g. {@code accuracy}; NaN is allowed (a diverged
   *     loss)
   */
  public record Stage(StageName name, double wallSeconds, Map<String, Double> figures) {
    /** Validates the stage and copies its figures. */
    public Stage {
      Objects.requireNonNull(name, "name");
      checkSeconds(name + ".wall_seconds", wallSeconds);
      Map<String, Double> copy = new LinkedHashMap<>();
      for (Map.Entry<String, Double> e : figures.entrySet()) {
        if (e.getKey().equals("name") || e.getKey().equals("wall_seconds")) {
          throw new IllegalArgumentException(
              "Invalid figure name '" + e.getKey() + "' in stage " + name + ": reserved");
        }
        if (e.getValue() == null) {
          throw new IllegalArgumentException(
              "Invalid figure " + e.getKey() + " in stage " + name + ": null");
        }
        copy.put(e.getKey(), e.getValue());
      }
      figures = Collections.unmodifiableMap(copy);
    }

    /** The stage's {@code accuracy} figure, if it has one. */
    public OptionalDouble accuracy() {
      Double value = figures.get("accuracy");
      return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /** This stage with {@code figure} set to {@code value}: replaced in place, or added last. */
    public Stage withFigure(String figure, double value) {
      Map<String, Double> more = new LinkedHashMap<>(figures);
      more.put(figure, value);
      return new Stage(name, wallSeconds, more);
    }
  }

  /** Replaces {@code file} with this summary as JSON. */
  public void write(Path file) throws IOException {
    RunFiles.replace(file, RunFiles.JSON.writeValueAsBytes(toJson()));
  }

  /**
   * Reads a summary written by {@link #write}.
   *
   * @throws IOException if the file is missing, is not such JSON, or breaks a rule above
   */
  public static RunSummary read(Path file) throws IOException {
    JsonNode root = RunFiles.JSON.readTree(RunFiles.read(file));
    try {
      return fromJson(root);
    } catch (IllegalArgumentException e) {
      throw new IOException("Malformed " + file + ": " + e.getMessage(), e);
    }
  }

  ObjectNode toJson() {
    ObjectNode root = RunFiles.JSON.createObjectNode();
    root.put("run_id", runId);
    root.put("config_hash", configHash);
    root.put("wall_seconds", wallSeconds);
    for (Stage stage : stages) {
      stage.accuracy().ifPresent(a -> root.put(stage.name().key() + "_accuracy", a));
    }
    weightsSha256.ifPresent(sha -> root.put("weights_sha256", sha));
    ArrayNode list = root.putArray("stages");
    for (Stage stage : stages) {
      ObjectNode node = list.addObject();
      node.put("name", stage.name().key());
      node.put("wall_seconds", stage.wallSeconds());
      stage.figures().forEach(node::put);
    }
    return root;
  }

  static RunSummary fromJson(JsonNode root) {
    if (!root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object, found " + root.getNodeType());
    }
    List<Stage> stages = new ArrayList<>();
    JsonNode list = required(root, "stages");
    if (!list.isArray()) {
      throw new IllegalArgumentException("stages must be an array");
    }
    for (JsonNode node : list) {
      StageName name = StageName.fromKey(text(node, "name"));
      Map<String, Double> figures = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (!field.getKey().equals("name") && !field.getKey().equals("wall_seconds")) {
          figures.put(field.getKey(), number(field.getValue(), name + "." + field.getKey()));
        }
      }
      stages.add(new Stage(name, number(required(node, "wall_seconds"), "wall_seconds"), figures));
    }
    return new RunSummary(
        text(root, "run_id"),
        text(root, "config_hash"),
        number(required(root, "wall_seconds"), "wall_seconds"),
        stages,
        root.hasNonNull("weights_sha256")
            ? Optional.of(text(root, "weights_sha256"))
            : Optional.empty());
  }

  private static JsonNode required(JsonNode node, String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing key " + key);
    }
    return value;
  }

  private static String text(JsonNode node, String key) {
    JsonNode value = required(node, key);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("Invalid value " + value + " for " + key + ": not text");
    }
    return value.asText();
  }

  /** A number; NaN and the infinities arrive as the strings Jackson writes for them. */
  private static double number(JsonNode value, String key) {
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isTextual()) {
      switch (value.asText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw new IllegalArgumentException("Invalid value " + value + " for " + key + ": not a number");
  }

  private static void checkSeconds(String key, double seconds) {
    if (!(seconds >= 0) || Double.isInfinite(seconds)) {
      throw new IllegalArgumentException(
          "Invalid value " + seconds + " for " + key + ": must be finite and >= 0");
    }
  }
}
