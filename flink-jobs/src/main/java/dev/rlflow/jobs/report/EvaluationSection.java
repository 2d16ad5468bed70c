package dev.rlflow.jobs.report;

import dev.rlflow.jobs.eval.EvalResult;
import dev.rlflow.jobs.eval.PassAtK;
import java.util.List;

/**
 * The evaluation section, from {@code eval.json}: accuracy, step accuracy, sampled accuracy and
 * pass@k, then accuracy per chain length as a chart and a table.
 */
final class EvaluationSection {
  private EvaluationSection() {}

  /** The section's content. */
  static String html(RunInputs inputs, ChartGrid charts) {
    if (inputs.eval().value().isEmpty()) {
      return inputs.eval().note();
    }
    EvalResult eval = inputs.eval().value().get();
    HtmlTable figures = new HtmlTable(List.of("figure", "value"));
    figures.row(List.of("problems", Integer.toString(eval.problems())));
    figures.row(List.of("accuracy (greedy, exact answer)", FigureFormat.percent(eval.accuracy())));
    figures.row(List.of("step accuracy (greedy)", FigureFormat.percent(eval.stepAccuracy())));
    if (eval.sampledAccuracy() != null) {
      figures.row(List.of("samples per problem", Integer.toString(eval.samplesPerProblem())));
      figures.row(List.of("sampled accuracy", FigureFormat.percent(eval.sampledAccuracy())));
    }
    for (PassAtK p : eval.passAtK()) {
      figures.row(List.of("pass@" + p.k(), FigureFormat.percent(p.value())));
    }
    StringBuilder html = new StringBuilder(figures.html());
    if (!eval.bySteps().isEmpty()) {
      HtmlTable bySteps = new HtmlTable(List.of("steps", "problems", "accuracy", "step accuracy"));
      for (EvalResult.ChainLength b : eval.bySteps()) {
        bySteps.row(
            List.of(
                Integer.toString(b.steps()),
                Integer.toString(b.problems()),
                FigureFormat.percent(b.accuracy()),
                FigureFormat.percent(b.stepAccuracy())));
      }
      html.append("<h3>By chain length</h3>\n").append(charts.bySteps()).append(bySteps.html());
    }
    return html.toString();
  }
}
