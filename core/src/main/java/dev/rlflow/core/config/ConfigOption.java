package dev.rlflow.core.config;

import java.util.Objects;

/**
 * One declaration per configuration key: its dotted path, type, default, rule and documentation.
 * The configuration reference in docs/configuration.md is generated from these declarations.
 *
 * @param key the dotted YAML path, e.g. {@code rollout.samples_per_prompt}
 * @param type how the value is read and printed
 * @param defaultValue the value when the key is absent; null only for optional keys
 * @param optional true when the key may be absent with no default
 * @param rule what a present value must satisfy
 * @param doc one or two sentences for the reference: what the key controls, and why
 */
public record ConfigOption<T>(
    String key, ValueType<T> type, T defaultValue, boolean optional, Rule<T> rule, String doc) {

  public ConfigOption {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(doc, "doc");
    if (!key.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+")) {
      throw new IllegalArgumentException(
          "Config key '" + key + "' is not a dotted lower_case path");
    }
    if (defaultValue == null && !optional) {
      throw new IllegalArgumentException("Config key '" + key + "' needs a default or optional");
    }
    if (defaultValue != null && !rule.test().test(defaultValue)) {
      throw new IllegalArgumentException("Default of '" + key + "' breaks its own rule");
    }
  }

  /** A key with a default value. */
  public static <T> ConfigOption<T> of(
      String key, ValueType<T> type, T defaultValue, Rule<T> rule, String doc) {
    return new ConfigOption<>(key, type, Objects.requireNonNull(defaultValue), false, rule, doc);
  }

  /** A key that may be left out; its absence means "not set" (see the doc). */
  public static <T> ConfigOption<T> optional(
      String key, ValueType<T> type, Rule<T> rule, String doc) {
    return new ConfigOption<>(key, type, null, true, rule, doc);
  }

  /** The first path segment: the section this key belongs to. */
  public String section() {
    return key.substring(0, key.indexOf('.'));
  }
}
