package dev.rlflow.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a run configuration: YAML, then {@code -Dkey.path=value} overrides, then defaults; checks
 * types, rules and unknown keys, and reports every problem at once in an {@link
 * InvalidConfigException}.
 *
 * <p>A key written as YAML null ({@code temperature:} with no value) counts as absent. An override
 * with an empty value unsets an optional key.
 */
public final class RunConfigLoader {
  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private RunConfigLoader() {}

  /** Loads a YAML file with overrides ({@code key.path -> value}). */
  public static RunConfig load(Path file, Map<String, String> overrides) {
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(file.toString(), List.of("File not found: " + file));
    } catch (IOException e) {
      throw new InvalidConfigException(
          file.toString(), List.of("Cannot read " + file + ": " + e.getMessage()));
    }
    return parse(yaml, file.toString(), overrides);
  }

  /** Parses YAML text; {@code source} names it in messages. */
  public static RunConfig parse(String yaml, String source, Map<String, String> overrides) {
    List<String> problems = new ArrayList<>();
    Map<String, JsonNode> fromYaml = flatten(readTree(yaml, source), problems);
    Map<ConfigOption<?>, Object> values = new LinkedHashMap<>();
    Map<String, String> pendingOverrides = new HashMap<>(overrides);
    for (ConfigOption<?> option : ConfigSchema.options().values()) {
      String override = pendingOverrides.remove(option.key());
      resolve(option, fromYaml.get(option.key()), override, problems)
          .ifPresentOrElse(value -> values.put(option, value), () -> values.put(option, null));
    }
    pendingOverrides.keySet().stream()
        .sorted()
        .forEach(key -> problems.add(unknownKey("override -D" + key, key)));
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(source, problems);
    }
    return RunConfig.of(source, new ConfigValues(values));
  }

  private static JsonNode readTree(String yaml, String source) {
    try {
      JsonNode root = YAML.readTree(yaml);
      if (root == null || root.isMissingNode() || root.isNull()) {
        return YAML.createObjectNode();
      }
      if (!root.isObject()) {
        throw new InvalidConfigException(
            source, List.of("The configuration must be a YAML mapping of sections, got " + root));
      }
      return root;
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new InvalidConfigException(
          source, List.of("YAML syntax error" + where + ": " + e.getOriginalMessage()));
    }
  }

  /** Declared keys to their YAML nodes; unknown keys and misplaced scalars become problems. */
  private static Map<String, JsonNode> flatten(JsonNode root, List<String> problems) {
    Map<String, JsonNode> flat = new LinkedHashMap<>();
    flattenInto("", root, flat, problems);
    return flat;
  }

  private static void flattenInto(
      String prefix, JsonNode mapping, Map<String, JsonNode> flat, List<String> problems) {
    for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      JsonNode node = field.getValue();
      if (ConfigSchema.options().containsKey(path)) {
        if (!node.isNull()) {
          flat.put(path, node);
        }
      } else if (ConfigSchema.isGroup(path)) {
        if (node.isObject()) {
          flattenInto(path, node, flat, problems);
        } else if (!node.isNull()) {
          problems.add(Problems.invalid(path, node, "be a mapping of " + path + ".* keys"));
        }
      } else if (node.isObject() && !node.isEmpty()) {
        flattenInto(path, node, flat, problems); // name the leaves: rolout.temperature
      } else {
        problems.add(unknownKey("key " + path, path));
      }
    }
  }

  private static String unknownKey(String what, String key) {
    Optional<String> suggestion = KeySuggestion.closest(key, ConfigSchema.options().keySet());
    return "Unknown "
        + what
        + suggestion.map(s -> " (did you mean " + s + "?)").orElse("")
        + "; run `rlflow config reference` for every key";
  }

  /** The value of one key: override, else YAML, else default; empty when an optional is unset. */
  private static <T> Optional<T> resolve(
      ConfigOption<T> option, JsonNode yaml, String override, List<String> problems) {
    T value;
    Object shown;
    try {
      if (override != null) {
        shown = override;
        if (override.isEmpty() && option.optional()) {
          return Optional.empty();
        }
        value = option.type().parse(override);
      } else if (yaml != null) {
        shown = yaml.isValueNode() ? yaml.asText() : yaml;
        value = option.type().read(yaml);
      } else {
        return Optional.ofNullable(option.defaultValue());
      }
    } catch (ValueType.BadValue e) {
      problems.add(Problems.invalid(option, shownValue(yaml, override), e.getMessage()));
      return Optional.ofNullable(option.defaultValue());
    }
    if (!option.rule().test().test(value)) {
      problems.add(Problems.invalid(option, shown, option.rule().description()));
    }
    return Optional.of(value);
  }

  private static Object shownValue(JsonNode yaml, String override) {
    if (override != null) {
      return override;
    }
    return yaml.isValueNode() ? yaml.asText() : yaml;
  }
}
