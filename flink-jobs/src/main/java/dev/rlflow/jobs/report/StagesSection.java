package dev.rlflow.jobs.report;

import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunSummary;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The stages section: one row per stage of {@code summary.json} with its wall time and figures; for
 * a run without a summary yet, the stages seen in {@code metrics.csv} so far.
 */
final class StagesSection {
  private StagesSection() {}

  /** The section's content. */
  static String html(RunInputs inputs) {
    if (inputs.summary().value().isPresent()) {
      return summaryTable(inputs.summary().value().get().stages());
    }
    StringBuilder html = new StringBuilder(inputs.summary().note());
    inputs
        .metrics()
        .value()
        .filter(table -> !table.rows().isEmpty())
        .ifPresent(
            table ->
                html.append("<p>Stages seen in <code>metrics.csv</code> so far:</p>\n")
                    .append(progressTable(table)));
    return html.toString();
  }

  private static String summaryTable(List<RunSummary.Stage> stages) {
    Set<String> figures = new LinkedHashSet<>();
    stages.forEach(s -> figures.addAll(s.figures().keySet()));
    List<String> headers = new ArrayList<>(List.of("stage", "wall time"));
    headers.addAll(figures);
    HtmlTable table = new HtmlTable(headers);
    for (RunSummary.Stage stage : stages) {
      List<String> cells = new ArrayList<>();
      cells.add(stage.name().key());
      cells.add(FigureFormat.duration(stage.wallSeconds()));
      for (String f : figures) {
        Double v = stage.figures().get(f);
        cells.add(v == null ? "" : FigureFormat.number(v));
      }
      table.row(cells);
    }
    return table.html();
  }

  private static String progressTable(MetricsTable metrics) {
    HtmlTable table = new HtmlTable(List.of("stage", "rows", "last step", "last wall time"));
    MetricsView.byStage(metrics)
        .forEach(
            (stage, rows) -> {
              MetricsTable.Row last = rows.get(rows.size() - 1);
              table.row(
                  List.of(
                      stage,
                      Integer.toString(rows.size()),
                      Long.toString(last.step()),
                      FigureFormat.duration(last.wallSeconds())));
            });
    return table.html();
  }
}
