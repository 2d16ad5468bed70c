package dev.rlflow.jobs.report;

import dev.rlflow.jobs.run.MetricsTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The metrics table as the report reads it: rows grouped by stage, columns that have values. */
final class MetricsView {
  private MetricsView() {}

  /** The table's rows by stage, stages in the order they first appear. */
  static Map<String, List<MetricsTable.Row>> byStage(MetricsTable table) {
    Map<String, List<MetricsTable.Row>> byStage = new LinkedHashMap<>();
    for (MetricsTable.Row row : table.rows()) {
      byStage.computeIfAbsent(row.stage(), s -> new ArrayList<>()).add(row);
    }
    return byStage;
  }

  /** Whether {@code metric} has a finite value in some row. */
  static boolean hasValues(MetricsTable table, String metric) {
    return table.rows().stream()
        .map(r -> r.metrics().get(metric))
        .anyMatch(v -> v != null && Double.isFinite(v));
  }

  /** Those of {@code metrics} that have a finite value in some row, in their order. */
  static List<String> withValues(MetricsTable table, List<String> metrics) {
    return metrics.stream().filter(m -> hasValues(table, m)).toList();
  }
}
