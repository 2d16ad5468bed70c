package dev.rlflow.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.jobs.run.RunFiles;

/** Text made safe for the places the report puts it: element content, attributes, scripts. */
final class HtmlText {
  private HtmlText() {}

  /** Escapes text for HTML element content and quoted attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }

  /**
   * JSON that cannot end or confuse its {@code <script>} element: {@code <}, {@code >} and {@code
   * &} (which JSON only allows inside strings) become {@code \\u} escapes, as do U+2028/U+2029.
   */
  static String scriptSafeJson(ObjectNode json) throws JsonProcessingException {
    return RunFiles.JSON
        .writer()
        .without(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(json)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029");
  }

  /** Script source with no {@code </script} or {@code <!--} to end or derail its element. */
  static String scriptSafe(String js) {
    return js.replaceAll("(?i)</(script)", "<\\\\/$1").replace("<!--", "<\\!--");
  }
}
