package dev.rlflow.jobs.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text resource with {@code {{name}}} placeholders, filled in one pass: the values are inserted
 * as given (already escaped for where they go) and never scanned for placeholders themselves.
 */
final class Template {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

  private final String name;
  private final String text;

  private Template(String name, String text) {
    this.name = name;
    this.text = text;
  }

  /** The resource {@code name} next to this class. */
  static Template resource(String name) {
    return new Template(name, text(name));
  }

  /**
   * The text with every placeholder replaced by its value.
   *
   * @throws IllegalArgumentException if a placeholder has no value or a value no placeholder
   */
  String fill(Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 64 * 1024);
    Set<String> used = new HashSet<>();
    int from = 0;
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            "No value for placeholder {{" + m.group(1) + "}} of " + name);
      }
      used.add(m.group(1));
      out.append(text, from, m.start()).append(value);
      from = m.end();
    }
    out.append(text, from, text.length());
    if (!used.containsAll(values.keySet())) {
      Set<String> unused = new HashSet<>(values.keySet());
      unused.removeAll(used);
      throw new IllegalArgumentException("No placeholder in " + name + " for " + unused);
    }
    return out.toString();
  }

  /** The UTF-8 text of resource {@code name} next to this class. */
  static String text(String name) {
    try (InputStream in = Template.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Resource " + name + " missing next to ReportWriter");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
