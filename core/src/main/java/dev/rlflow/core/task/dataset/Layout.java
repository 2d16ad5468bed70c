package dev.rlflow.core.task.dataset;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/** The JSONL layouts a dataset file can have, one JSON object per line. */
public enum Layout {
  /**
   * GSM8K: {@code question} and {@code answer}, where {@code answer} is a worked solution with
   * calculator annotations {@code <<48/2=24>>} and a last line {@code #### N}.
   */
  GSM8K("gsm8k"),
  /**
   * MATH (Hendrycks et al.): {@code problem} and {@code solution}, whose last {@code \boxed{...}}
   * holds the answer; {@code level} and {@code type} are ignored.
   */
  MATH("math");

  private final String configName;

  Layout(String configName) {
    this.configName = configName;
  }

  /** Returns the lower-case name used in run configurations, for example {@code gsm8k}. */
  public String configName() {
    return configName;
  }

  /**
   * Returns the layout called {@code name} (case-insensitive, for example {@code gsm8k}).
   *
   * @throws IllegalArgumentException naming the value and the valid names when none matches
   */
  public static Layout fromName(String name) {
    Objects.requireNonNull(name, "name");
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    for (Layout layout : values()) {
      if (layout.configName.equals(wanted)) {
        return layout;
      }
    }
    throw new IllegalArgumentException(
        "Invalid value '"
            + name
            + "' for dataset layout: must be one of "
            + Arrays.stream(values()).map(Layout::configName).toList());
  }
}
