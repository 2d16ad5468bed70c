package dev.rlflow.jobs.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The JSON the report's script draws its charts from. */
final class ChartData {
  /** Lines keep every k-th point and their last, about this many at most; metrics.csv keeps all. */
  static final int MAX_POINTS = 2000;

  private ChartData() {}

  /**
   * The charts' data: {@code stages} (first-seen order, for colours), {@code series} (per metric,
   * per stage, finite {@code [step, value]} points, thinned to {@link #MAX_POINTS}) and {@code
   * by_steps} (or null).
   */
  static ObjectNode json(RunInputs inputs) {
    ObjectNode root = RunFiles.JSON.createObjectNode();
    ArrayNode stages = root.putArray("stages");
    ObjectNode series = root.putObject("series");
    inputs
        .metrics()
        .value()
        .ifPresent(
            table -> {
              Map<String, List<MetricsTable.Row>> byStage = MetricsView.byStage(table);
              byStage.keySet().forEach(stages::add);
              for (String metric : table.metricNames()) {
                ArrayNode perStage = series.putArray(metric);
                byStage.forEach(
                    (stage, rows) -> {
                      List<MetricsTable.Row> finite = new ArrayList<>();
                      for (MetricsTable.Row row : rows) {
                        Double v = row.metrics().get(metric);
                        if (v != null && Double.isFinite(v)) {
                          finite.add(row);
                        }
                      }
                      ArrayNode points = RunFiles.JSON.createArrayNode();
                      int stride = (finite.size() + MAX_POINTS - 1) / MAX_POINTS;
                      for (int i = 0; i < finite.size(); i++) {
                        if (i % stride == 0 || i == finite.size() - 1) {
                          MetricsTable.Row row = finite.get(i);
                          points.addArray().add(row.step()).add(row.metrics().get(metric));
                        }
                      }
                      if (!points.isEmpty()) {
                        ObjectNode s = perStage.addObject();
                        s.put("stage", stage);
                        s.set("points", points);
                      }
                    });
              }
            });
    if (inputs.eval().value().isPresent()) {
      root.set("by_steps", RunFiles.JSON.valueToTree(inputs.eval().value().get().bySteps()));
    } else {
      root.putNull("by_steps");
    }
    return root;
  }
}
