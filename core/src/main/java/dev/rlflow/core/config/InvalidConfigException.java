package dev.rlflow.core.config;

import java.util.List;

/**
 * A run configuration that cannot be used. It lists every problem found, each naming the key, the
 * value and the rule, so a user fixes a file in one pass.
 */
public final class InvalidConfigException extends RuntimeException {
  private final String source;
  private final List<String> problems;

  public InvalidConfigException(String source, List<String> problems) {
    super(message(source, problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** Where the configuration came from (a file path, or a description). */
  public String source() {
    return source;
  }

  /** One line per problem, e.g. {@code Invalid value 0 for rollout.samples_per_prompt: ...}. */
  public List<String> problems() {
    return problems;
  }

  private static String message(String source, List<String> problems) {
    StringBuilder sb = new StringBuilder("Invalid configuration ").append(source).append(':');
    for (String problem : problems) {
      sb.append("\n  - ").append(problem);
    }
    return sb.toString();
  }
}
