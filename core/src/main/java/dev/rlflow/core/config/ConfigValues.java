package dev.rlflow.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved value of every declared key (defaults filled in), in declaration order. Section
 * records are built from it; it is also what {@code config check} prints and what the config hash
 * covers.
 */
public final class ConfigValues {
  private final Map<ConfigOption<?>, Object> values;

  ConfigValues(Map<ConfigOption<?>, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ConfigValues that && values.equals(that.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** The value of a key that has a default. */
  public <T> T get(ConfigOption<T> option) {
    if (option.optional()) {
      throw new IllegalArgumentException(option.key() + " is optional: use optional()");
    }
    return value(option);
  }

  /** The value of an optional key, empty when it is not set. */
  public <T> Optional<T> optional(ConfigOption<T> option) {
    return Optional.ofNullable(value(option));
  }

  @SuppressWarnings("unchecked")
  private <T> T value(ConfigOption<T> option) {
    if (!values.containsKey(option)) {
      throw new IllegalArgumentException("Undeclared config key " + option.key());
    }
    return (T) values.get(option);
  }

  /**
   * The values as nested YAML-ready maps ({@code rollout -> temperature -> 1.0}), unset optional
   * keys as null, in declaration order.
   */
  public Map<String, Object> asNestedMap() {
    Map<String, Object> root = new LinkedHashMap<>();
    values.forEach((option, value) -> put(root, option, value));
    return root;
  }

  /** The values as flat {@code key -> printed value} strings, unset optional keys omitted. */
  public Map<String, String> asFlatMap() {
    Map<String, String> flat = new LinkedHashMap<>();
    values.forEach(
        (option, value) -> {
          if (value != null) {
            flat.put(option.key(), String.valueOf(render(option, value)));
          }
        });
    return flat;
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> root, ConfigOption<?> option, Object value) {
    String[] path = option.key().split("\\.");
    Map<String, Object> node = root;
    for (int i = 0; i < path.length - 1; i++) {
      node = (Map<String, Object>) node.computeIfAbsent(path[i], k -> new LinkedHashMap<>());
    }
    node.put(path[path.length - 1], value == null ? null : render(option, value));
  }

  @SuppressWarnings("unchecked")
  private static <T> Object render(ConfigOption<T> option, Object value) {
    return option.type().render((T) value);
  }
}
