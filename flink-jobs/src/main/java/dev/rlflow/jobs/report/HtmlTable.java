package dev.rlflow.jobs.report;

import java.util.List;

/** A {@code <table>} with one header row; every cell's text is escaped. */
final class HtmlTable {
  private final StringBuilder html = new StringBuilder("<table>\n");
  private final int columns;

  /** A table with these column headers. */
  HtmlTable(List<String> headers) {
    this.columns = headers.size();
    append("th", headers);
  }

  /**
   * Adds a row.
   *
   * @throws IllegalArgumentException if it has not one cell per column
   */
  HtmlTable row(List<String> cells) {
    if (cells.size() != columns) {
      throw new IllegalArgumentException(
          "A row of " + cells.size() + " cells in a table of " + columns + " columns");
    }
    append("td", cells);
    return this;
  }

  /** The table's markup. */
  String html() {
    return html + "</table>\n";
  }

  private void append(String tag, List<String> cells) {
    html.append("<tr>");
    for (String cell : cells) {
      html.append('<').append(tag).append('>');
      html.append(HtmlText.escape(cell));
      html.append("</").append(tag).append('>');
    }
    html.append("</tr>\n");
  }
}
