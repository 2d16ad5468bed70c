package dev.rlflow.core.config;

/** The wording of configuration problems, one form for every rule (Kafka's ConfigException). */
final class Problems {
  private Problems() {}

  /** {@code Invalid value 0 for rollout.samples_per_prompt: must be >= 1}. */
  static String invalid(String key, Object value, String rule) {
    return "Invalid value " + quote(value) + " for " + key + ": must " + rule;
  }

  static String invalid(ConfigOption<?> option, Object value, String rule) {
    return invalid(option.key(), value, rule);
  }

  private static String quote(Object value) {
    String text = String.valueOf(value);
    if (text.isEmpty() || !text.equals(text.strip()) || text.contains("\n")) {
      return '"' + text.replace("\n", "\\n") + '"';
    }
    return text;
  }
}
