package dev.rlflow.jobs.report;

import dev.rlflow.jobs.run.MetricsTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sections drawn from {@code metrics.csv} columns: {@code loss} and {@code lr} get one wide
 * chart each in the training section; every other column (but the RL section's) gets a small chart
 * of its own, so a new stage's metrics appear without changes here.
 */
final class MetricsSections {
  private static final List<String> PRIMARY = List.of("loss", "lr");

  private MetricsSections() {}

  /** The training section's content. */
  static String training(RunInputs inputs, ChartGrid charts) {
    if (inputs.metrics().value().isEmpty()) {
      return inputs.metrics().note();
    }
    MetricsTable table = inputs.metrics().value().get();
    StringBuilder html = new StringBuilder();
    for (String metric : PRIMARY) {
      if (!MetricsView.hasValues(table, metric)) {
        html.append("<p class=\"note\">No <code>")
            .append(metric)
            .append("</code> values in metrics.csv yet.</p>\n");
      }
    }
    html.append(
        charts.metrics(
            MetricsView.withValues(table, PRIMARY),
            "charts wide",
            Map.of("loss", "loss", "lr", "learning rate")));
    return html.toString();
  }

  /** The other-metrics section's content. */
  static String others(RunInputs inputs, ChartGrid charts) {
    if (inputs.metrics().value().isEmpty()) {
      return inputs.metrics().note();
    }
    MetricsTable table = inputs.metrics().value().get();
    List<String> others = new ArrayList<>();
    for (String name : table.metricNames()) {
      if (!PRIMARY.contains(name) && !RlSection.METRICS.contains(name)) {
        others.add(name);
      }
    }
    others = MetricsView.withValues(table, others);
    if (others.isEmpty()) {
      return "<p class=\"note\">No other metric columns in metrics.csv.</p>\n";
    }
    return charts.metrics(others, "charts", Map.of());
  }
}
