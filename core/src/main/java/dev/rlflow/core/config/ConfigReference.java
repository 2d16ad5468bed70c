package dev.rlflow.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration reference in Markdown, generated from the declarations, and kept in
 * docs/configuration.md between two marker lines (a test fails when they drift apart).
 */
public final class ConfigReference {
  static final String BEGIN =
      "<!-- config-reference:begin (generated: ./rlflow config reference --update"
          + " docs/configuration.md) -->";
  static final String END = "<!-- config-reference:end -->";

  private ConfigReference() {}

  /** One table per section: key, type, default, rule, description. */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    for (ConfigSchema.Section section : ConfigSchema.sections()) {
      sb.append("#### `").append(section.name()).append("`\n\n");
      sb.append(section.doc()).append("\n\n");
      sb.append("| key | type | default | rule | description |\n");
      sb.append("|---|---|---|---|---|\n");
      for (ConfigOption<?> option : section.options()) {
        sb.append("| `")
            .append(option.key())
            .append("` | ")
            .append(option.type().name())
            .append(" | ")
            .append(defaultText(option))
            .append(" | ")
            .append(option.rule().isAny() ? "" : "must " + option.rule().description())
            .append(" | ")
            .append(escape(option.doc()))
            .append(" |\n");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The reference block as it stands in docs/configuration.md, markers included. */
  public static String block() {
    return BEGIN + "\n\n" + markdown() + END;
  }

  /** The document's current reference block, or null when the markers are missing. */
  public static String extract(String document) {
    int begin = document.indexOf(BEGIN);
    int end = document.indexOf(END);
    return begin < 0 || end < begin ? null : document.substring(begin, end + END.length());
  }

  /** Rewrites the block in {@code document}; returns true when the file changed. */
  public static boolean update(Path document) throws IOException {
    String text = Files.readString(document, StandardCharsets.UTF_8);
    String current = extract(text);
    if (current == null) {
      throw new IOException(document + " has no line " + BEGIN + " followed by " + END);
    }
    String updated = text.replace(current, block());
    if (updated.equals(text)) {
      return false;
    }
    Files.writeString(document, updated, StandardCharsets.UTF_8);
    return true;
  }

  /** Markdown table cells: a pipe ends the cell and {@code <x>} would read as an HTML tag. */
  private static String escape(String text) {
    return text.replace("|", "\\|").replace("<", "\\<");
  }

  @SuppressWarnings("unchecked")
  private static <T> String defaultText(ConfigOption<T> option) {
    if (option.defaultValue() == null) {
      return "unset";
    }
    Object rendered = option.type().render(option.defaultValue());
    String text = String.valueOf(rendered).replace("\n", "\\n");
    return "`" + text + "`";
  }
}
