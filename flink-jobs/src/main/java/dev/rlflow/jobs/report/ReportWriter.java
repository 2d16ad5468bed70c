package dev.rlflow.jobs.report;

import dev.rlflow.jobs.run.RunFiles;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.core.fs.Path;

/**
 * Writes a run's {@code report.html}: one self-contained page (no network access when viewed) with
 * the run's stages, training curves, evaluation and resolved configuration.
 *
 * <p>It reads what the run directory holds so far: {@code summary.json}, {@code metrics.csv},
 * {@code eval.json} and {@code config.yaml}. A missing or unreadable input leaves a note in its
 * section instead of failing the report. The page is the {@code report.html} template beside this
 * class, its sections filled by {@link StagesSection}, {@link RlSection}, {@link MetricsSections}
 * and {@link EvaluationSection}. Charts are drawn by Chart.js, inlined from the {@code
 * org.webjars.npm:chart.js} jar, from the JSON of {@link ChartData}; without that jar on the
 * classpath the page has tables only.
 */
public final class ReportWriter {
  /** The file's name inside a run directory. */
  public static final String FILE_NAME = "report.html";

  private static final Template PAGE = Template.resource("report.html");

  private final Clock clock;
  private final Optional<ChartJs> chartJs;

  /**
   * @param clock gives the time the report states it was written
   */
  public ReportWriter(Clock clock) {
    this(clock, ChartJs.fromClasspath());
  }

  ReportWriter(Clock clock, Optional<ChartJs> chartJs) {
    this.clock = clock;
    this.chartJs = chartJs;
  }

  /**
   * Writes {@code report.html} into the run directory from the files it holds now, replacing an
   * earlier report.
   *
   * @return the report's path
   * @throws IOException if the report itself cannot be written
   */
  public Path write(RunDirectory run) throws IOException {
    Path file = run.resolve(FILE_NAME);
    RunFiles.replace(file, render(run).getBytes(StandardCharsets.UTF_8));
    return file;
  }

  /** The page for the run directory's current files. */
  String render(RunDirectory run) throws IOException {
    RunInputs inputs = RunInputs.read(run);
    ChartGrid charts = new ChartGrid(chartJs.isPresent());
    Map<String, String> page = new HashMap<>();
    page.put(
        "run_id",
        HtmlText.escape(inputs.summary().value().map(RunSummary::runId).orElse(run.runId())));
    page.put("css", Template.text("report.css"));
    page.put("config_hash", HtmlText.escape(inputs.configHash().orElse("unknown")));
    page.put("wall_time", HtmlText.escape(inputs.wallTime().orElse("unknown")));
    page.put("stages", StagesSection.html(inputs));
    page.put("rl", RlSection.html(inputs, charts));
    page.put("training", MetricsSections.training(inputs, charts));
    page.put("eval", EvaluationSection.html(inputs, charts));
    page.put("metrics", MetricsSections.others(inputs, charts));
    page.put(
        "config",
        inputs
            .config()
            .value()
            .map(yaml -> "<pre class=\"config\">" + HtmlText.escape(yaml) + "</pre>\n")
            .orElse(inputs.config().note()));
    page.put(
        "written_at", HtmlText.escape(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()));
    page.put(
        "chart_credit",
        chartJs
            .map(
                c ->
                    "Charts drawn by Chart.js " + HtmlText.escape(c.version()) + " (MIT), inlined.")
            .orElse(""));
    page.put("data", HtmlText.scriptSafeJson(ChartData.json(inputs)));
    page.put(
        "scripts",
        chartJs
            .map(
                c ->
                    "<script>\n"
                        + HtmlText.scriptSafe(c.source())
                        + "\n</script>\n<script>\n"
                        + HtmlText.scriptSafe(Template.text("report.js"))
                        + "</script>\n")
            .orElse(""));
    return PAGE.fill(page);
  }
}
