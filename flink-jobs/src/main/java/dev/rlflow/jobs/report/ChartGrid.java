package dev.rlflow.jobs.report;

import java.util.List;
import java.util.Map;

/**
 * The placeholders of the report's charts: a {@code <canvas>} per chart that the report's script
 * draws from the chart data, or a note when Chart.js is not in the page.
 */
final class ChartGrid {
  private final boolean chartJs;

  /**
   * @param chartJs whether the page inlines Chart.js
   */
  ChartGrid(boolean chartJs) {
    this.chartJs = chartJs;
  }

  /**
   * One chart per metric, over steps with a line per stage, in a grid of CSS class {@code
   * cssClass}; {@code captions} names some metrics for people. Nothing for no metrics.
   */
  String metrics(List<String> metrics, String cssClass, Map<String, String> captions) {
    if (metrics.isEmpty()) {
      return "";
    }
    if (!chartJs) {
      return "<p class=\"note\">Charts unavailable: Chart.js (org.webjars.npm:chart.js) was not on"
          + " the classpath when this report was written.</p>\n";
    }
    StringBuilder html = new StringBuilder("<div class=\"").append(cssClass).append("\">\n");
    for (String metric : metrics) {
      String caption = HtmlText.escape(captions.getOrDefault(metric, metric));
      html.append("<figure class=\"chart\"><figcaption>")
          .append(caption)
          .append("</figcaption><div class=\"canvas-box\"><canvas data-metric=\"")
          .append(HtmlText.escape(metric))
          .append("\" role=\"img\" aria-label=\"")
          .append(caption)
          .append(" per step\"></canvas></div></figure>\n");
    }
    return html.append("</div>\n").toString();
  }

  /** The chart of accuracy per chain length; nothing without Chart.js. */
  String bySteps() {
    if (!chartJs) {
      return "";
    }
    return "<div class=\"charts wide\"><figure class=\"chart\"><figcaption>Accuracy per chain"
        + " length</figcaption><div class=\"canvas-box\"><canvas data-chart=\"by-steps\""
        + " role=\"img\" aria-label=\"accuracy per chain length\"></canvas></div>"
        + "</figure></div>\n";
  }
}
