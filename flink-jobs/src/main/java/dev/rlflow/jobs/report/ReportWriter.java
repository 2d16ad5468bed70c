package dev.rlflow.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.jobs.eval.EvalResult;
import dev.rlflow.jobs.eval.PassAtK;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunFiles;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.Path;

/**
 * Writes a run's {@code report.html}: one self-contained page (no network access when viewed) with
 * the run's stages, training curves, evaluation and resolved configuration.
 *
 * <p>It reads what the run directory holds so far: {@code summary.json}, {@code metrics.csv},
 * {@code eval.json} and {@code config.yaml}. A missing or unreadable input leaves a note in its
 * section instead of failing the report. Charts are drawn by Chart.js, inlined from the {@code
 * org.webjars.npm:chart.js} jar; without that jar on the classpath the page has tables only.
 *
 * <p>{@code loss} and {@code lr} get one wide chart each, one line per stage over steps; every
 * other metric column gets a small chart of its own, so a new stage's metrics appear without
 * changes here. A chart whose positive values span more than two decades, with at most one point
 * per line {@code <= 0}, gets a log axis.
 */
public final class ReportWriter {
  /** The file's name inside a run directory. */
  public static final String FILE_NAME = "report.html";

  private static final List<String> PRIMARY_METRICS = List.of("loss", "lr");

  /** The RL curves the reinforcement-learning section draws. */
  private static final List<String> RL_METRICS = List.of("reward", "kl");

  /** Lines keep every k-th point and their last, about this many at most; metrics.csv keeps all. */
  static final int MAX_POINTS = 2000;

  private static final Pattern CONFIG_HASH = Pattern.compile("(?m)^# config hash: *(\\S+)\\s*$");

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

  /** Chart.js as shipped in its webjar: the version and the UMD bundle's source. */
  record ChartJs(String version, String source) {
    private static final String WEBJAR = "META-INF/resources/webjars/chart.js/";
    private static final String POM = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

    static Optional<ChartJs> fromClasspath() {
      ClassLoader loader = ReportWriter.class.getClassLoader();
      try (InputStream pom = loader.getResourceAsStream(POM)) {
        if (pom == null) {
          return Optional.empty();
        }
        Properties props = new Properties();
        props.load(pom);
        String version = props.getProperty("version");
        try (InputStream js = loader.getResourceAsStream(WEBJAR + version + "/dist/chart.umd.js")) {
          if (js == null) {
            return Optional.empty();
          }
          return Optional.of(
              new ChartJs(version, new String(js.readAllBytes(), StandardCharsets.UTF_8)));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read Chart.js from its webjar", e);
      }
    }
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
    Input<RunSummary> summary = load(run.resolve(RunSummary.FILE_NAME), RunSummary::read);
    Input<MetricsTable> metrics = load(run.resolve(MetricsTable.FILE_NAME), MetricsTable::read);
    Input<EvalResult> eval = load(run.resolve(EvalResult.FILE_NAME), EvalResult::read);
    Input<String> config =
        load(run.resolve("config.yaml"), p -> new String(RunFiles.read(p), StandardCharsets.UTF_8));

    StringBuilder html = new StringBuilder(64 * 1024);
    String runId = summary.value().map(RunSummary::runId).orElse(run.runId());
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>rlflow run ")
        .append(escape(runId))
        .append("</title>\n<style>\n")
        .append(resource("report.css"))
        .append("</style>\n</head>\n<body>\n");
    header(html, runId, summary, metrics, config);
    stages(html, summary, metrics);
    reinforcement(html, summary, metrics);
    training(html, metrics);
    evaluation(html, eval);
    otherMetrics(html, metrics);
    html.append("<section id=\"config\">\n<h2>Configuration</h2>\n");
    if (config.value().isPresent()) {
      html.append("<pre class=\"config\">").append(escape(config.value().get())).append("</pre>\n");
    } else {
      html.append(config.note());
    }
    html.append("</section>\n<footer>Written by rlflow at ")
        .append(escape(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()))
        .append(". ")
        .append(
            chartJs
                .map(c -> "Charts drawn by Chart.js " + escape(c.version()) + " (MIT), inlined.")
                .orElse(""))
        .append("</footer>\n");
    html.append("<script type=\"application/json\" id=\"report-data\">")
        .append(scriptSafeJson(chartData(metrics, eval)))
        .append("</script>\n");
    if (chartJs.isPresent()) {
      html.append("<script>\n")
          .append(scriptSafe(chartJs.get().source()))
          .append("\n</script>\n<script>\n")
          .append(scriptSafe(resource("report.js")))
          .append("</script>\n");
    }
    html.append("</body>\n</html>\n");
    return html.toString();
  }

  private void header(
      StringBuilder html,
      String runId,
      Input<RunSummary> summary,
      Input<MetricsTable> metrics,
      Input<String> config) {
    String hash =
        summary
            .value()
            .map(RunSummary::configHash)
            .or(() -> config.value().flatMap(ReportWriter::configHashComment))
            .orElse("unknown");
    String wall = "unknown";
    if (summary.value().isPresent()) {
      wall = duration(summary.value().get().wallSeconds());
    } else if (metrics.value().isPresent() && !metrics.value().get().rows().isEmpty()) {
      double latest = 0;
      for (MetricsTable.Row row : metrics.value().get().rows()) {
        latest = Math.max(latest, row.wallSeconds());
      }
      wall = duration(latest) + " so far (latest metrics row)";
    }
    html.append("<header>\n<h1>rlflow run <code>")
        .append(escape(runId))
        .append("</code></h1>\n<dl class=\"facts\">\n<dt>Config hash</dt><dd><code>")
        .append(escape(hash))
        .append("</code></dd>\n<dt>Wall time</dt><dd>")
        .append(escape(wall))
        .append("</dd>\n</dl>\n</header>\n");
  }

  private static void stages(
      StringBuilder html, Input<RunSummary> summary, Input<MetricsTable> metrics) {
    html.append("<section id=\"stages\">\n<h2>Stages</h2>\n");
    if (summary.value().isPresent()) {
      List<RunSummary.Stage> stages = summary.value().get().stages();
      Set<String> figures = new LinkedHashSet<>();
      stages.forEach(s -> figures.addAll(s.figures().keySet()));
      html.append("<table>\n<tr><th>stage</th><th>wall time</th>");
      figures.forEach(f -> html.append("<th>").append(escape(f)).append("</th>"));
      html.append("</tr>\n");
      for (RunSummary.Stage stage : stages) {
        html.append("<tr><td>")
            .append(escape(stage.name().key()))
            .append("</td><td>")
            .append(escape(duration(stage.wallSeconds())))
            .append("</td>");
        for (String f : figures) {
          Double v = stage.figures().get(f);
          html.append("<td>").append(v == null ? "" : escape(number(v))).append("</td>");
        }
        html.append("</tr>\n");
      }
      html.append("</table>\n");
    } else {
      html.append(summary.note());
      if (metrics.value().isPresent() && !metrics.value().get().rows().isEmpty()) {
        html.append("<p>Stages seen in <code>metrics.csv</code> so far:</p>\n<table>\n")
            .append("<tr><th>stage</th><th>rows</th><th>last step</th><th>last wall time</th>")
            .append("</tr>\n");
        Map<String, List<MetricsTable.Row>> byStage = byStage(metrics.value().get());
        byStage.forEach(
            (stage, rows) -> {
              MetricsTable.Row last = rows.get(rows.size() - 1);
              html.append("<tr><td>")
                  .append(escape(stage))
                  .append("</td><td>")
                  .append(rows.size())
                  .append("</td><td>")
                  .append(last.step())
                  .append("</td><td>")
                  .append(escape(duration(last.wallSeconds())))
                  .append("</td></tr>\n");
            });
        html.append("</table>\n");
      }
    }
    html.append("</section>\n");
  }

  /**
   * When the run has an {@code rl} stage: held-out accuracy and step accuracy of the policy before
   * RL (the {@code eval} stage), after it ({@code eval_rl}) and of the control ({@code
   * eval_control}), then the reward and KL curves.
   */
  private void reinforcement(
      StringBuilder html, Input<RunSummary> summary, Input<MetricsTable> metrics) {
    if (summary.value().isEmpty()
        || summary.value().get().stages().stream().noneMatch(s -> s.name() == StageName.RL)) {
      return;
    }
    html.append("<section id=\"rl\">\n<h2>Reinforcement learning</h2>\n")
        .append("<table>\n<tr><th>policy</th><th>held-out accuracy</th><th>step accuracy</th>")
        .append("<th>training time</th></tr>\n");
    Map<StageName, RunSummary.Stage> byName = new EnumMap<>(StageName.class);
    summary.value().get().stages().forEach(s -> byName.put(s.name(), s));
    for (PolicyRow row : PolicyRow.values()) {
      RunSummary.Stage eval = byName.get(row.eval);
      RunSummary.Stage trained = byName.get(row.trained);
      if (eval == null) {
        continue;
      }
      html.append("<tr><td>")
          .append(escape(row.label))
          .append("</td><td>")
          .append(percent(eval.figures().getOrDefault("accuracy", Double.NaN)))
          .append("</td><td>")
          .append(percent(eval.figures().getOrDefault("step_accuracy", Double.NaN)))
          .append("</td><td>")
          .append(trained == null ? "" : escape(duration(trained.wallSeconds())))
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
    summary
        .value()
        .get()
        .weightsSha256()
        .ifPresent(
            sha ->
                html.append("<p>Final policy weights SHA-256 <code>")
                    .append(escape(sha))
                    .append("</code></p>\n"));
    if (metrics.value().isPresent()) {
      List<String> present = new ArrayList<>();
      for (String metric : RL_METRICS) {
        if (hasValues(metrics.value().get(), metric)) {
          present.add(metric);
        }
      }
      chartGrid(
          html,
          present,
          "charts wide",
          Map.of("reward", "reward per response", "kl", "KL to the reference per response"));
    }
    html.append("</section>\n");
  }

  private void training(StringBuilder html, Input<MetricsTable> metrics) {
    html.append("<section id=\"training\">\n<h2>Training</h2>\n");
    if (metrics.value().isEmpty()) {
      html.append(metrics.note()).append("</section>\n");
      return;
    }
    List<String> present = new ArrayList<>();
    for (String metric : PRIMARY_METRICS) {
      if (hasValues(metrics.value().get(), metric)) {
        present.add(metric);
      } else {
        html.append("<p class=\"note\">No <code>")
            .append(metric)
            .append("</code> values in metrics.csv yet.</p>\n");
      }
    }
    chartGrid(html, present, "charts wide", Map.of("loss", "loss", "lr", "learning rate"));
    html.append("</section>\n");
  }

  private void evaluation(StringBuilder html, Input<EvalResult> input) {
    html.append("<section id=\"eval\">\n<h2>Evaluation</h2>\n");
    if (input.value().isEmpty()) {
      html.append(input.note()).append("</section>\n");
      return;
    }
    EvalResult eval = input.value().get();
    html.append("<table>\n<tr><th>figure</th><th>value</th></tr>\n");
    row(html, "problems", Integer.toString(eval.problems()));
    row(html, "accuracy (greedy, exact answer)", percent(eval.accuracy()));
    row(html, "step accuracy (greedy)", percent(eval.stepAccuracy()));
    if (eval.sampledAccuracy() != null) {
      row(html, "samples per problem", Integer.toString(eval.samplesPerProblem()));
      row(html, "sampled accuracy", percent(eval.sampledAccuracy()));
    }
    for (PassAtK p : eval.passAtK()) {
      row(html, "pass@" + p.k(), percent(p.value()));
    }
    html.append("</table>\n");
    if (!eval.bySteps().isEmpty()) {
      html.append("<h3>By chain length</h3>\n");
      if (chartJs.isPresent()) {
        html.append(
            "<div class=\"charts wide\"><figure class=\"chart\"><figcaption>Accuracy per chain"
                + " length</figcaption><div class=\"canvas-box\"><canvas data-chart=\"by-steps\""
                + " role=\"img\" aria-label=\"accuracy per chain length\"></canvas></div>"
                + "</figure></div>\n");
      }
      html.append(
          "<table>\n<tr><th>steps</th><th>problems</th><th>accuracy</th>"
              + "<th>step accuracy</th></tr>\n");
      for (EvalResult.ChainLength b : eval.bySteps()) {
        html.append("<tr><td>")
            .append(b.steps())
            .append("</td><td>")
            .append(b.problems())
            .append("</td><td>")
            .append(percent(b.accuracy()))
            .append("</td><td>")
            .append(percent(b.stepAccuracy()))
            .append("</td></tr>\n");
      }
      html.append("</table>\n");
    }
    html.append("</section>\n");
  }

  private void otherMetrics(StringBuilder html, Input<MetricsTable> metrics) {
    html.append("<section id=\"metrics\">\n<h2>Other metrics</h2>\n");
    if (metrics.value().isEmpty()) {
      html.append(metrics.note()).append("</section>\n");
      return;
    }
    List<String> others = new ArrayList<>();
    for (String name : metrics.value().get().metricNames()) {
      if (!PRIMARY_METRICS.contains(name)
          && !RL_METRICS.contains(name)
          && hasValues(metrics.value().get(), name)) {
        others.add(name);
      }
    }
    if (others.isEmpty()) {
      html.append("<p class=\"note\">No other metric columns in metrics.csv.</p>\n");
    }
    chartGrid(html, others, "charts", Map.of());
    html.append("</section>\n");
  }

  private void chartGrid(
      StringBuilder html, List<String> metrics, String cssClass, Map<String, String> captions) {
    if (metrics.isEmpty()) {
      return;
    }
    if (chartJs.isEmpty()) {
      html.append(
          "<p class=\"note\">Charts unavailable: Chart.js (org.webjars.npm:chart.js) was not on"
              + " the classpath when this report was written.</p>\n");
      return;
    }
    html.append("<div class=\"").append(cssClass).append("\">\n");
    for (String metric : metrics) {
      String caption = captions.getOrDefault(metric, metric);
      html.append("<figure class=\"chart\"><figcaption>")
          .append(escape(caption))
          .append("</figcaption><div class=\"canvas-box\"><canvas data-metric=\"")
          .append(escape(metric))
          .append("\" role=\"img\" aria-label=\"")
          .append(escape(caption))
          .append(" per step\"></canvas></div></figure>\n");
    }
    html.append("</div>\n");
  }

  /**
   * The charts' data: {@code stages} (first-seen order, for colours), {@code series} (per metric,
   * per stage, finite {@code [step, value]} points, thinned to {@link #MAX_POINTS}) and {@code
   * by_steps} (or null).
   */
  private static ObjectNode chartData(Input<MetricsTable> metrics, Input<EvalResult> eval) {
    ObjectNode root = RunFiles.JSON.createObjectNode();
    ArrayNode stages = root.putArray("stages");
    ObjectNode series = root.putObject("series");
    metrics
        .value()
        .ifPresent(
            table -> {
              Map<String, List<MetricsTable.Row>> byStage = byStage(table);
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
    if (eval.value().isPresent()) {
      root.set("by_steps", RunFiles.JSON.valueToTree(eval.value().get().bySteps()));
    } else {
      root.putNull("by_steps");
    }
    return root;
  }

  private static Map<String, List<MetricsTable.Row>> byStage(MetricsTable table) {
    Map<String, List<MetricsTable.Row>> byStage = new LinkedHashMap<>();
    for (MetricsTable.Row row : table.rows()) {
      byStage.computeIfAbsent(row.stage(), s -> new ArrayList<>()).add(row);
    }
    return byStage;
  }

  private static boolean hasValues(MetricsTable table, String metric) {
    return table.rows().stream()
        .map(r -> r.metrics().get(metric))
        .anyMatch(v -> v != null && Double.isFinite(v));
  }

  private static void row(StringBuilder html, String name, String value) {
    html.append("<tr><td>")
        .append(escape(name))
        .append("</td><td>")
        .append(escape(value))
        .append("</td></tr>\n");
  }

  private static Optional<String> configHashComment(String yaml) {
    Matcher m = CONFIG_HASH.matcher(yaml);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** What was read from one input file, or why nothing was. */
  private record Input<T>(Optional<T> value, String note) {}

  private interface Reader<T> {
    T read(Path file) throws IOException;
  }

  private static <T> Input<T> load(Path file, Reader<T> reader) throws IOException {
    if (!file.getFileSystem().exists(file)) {
      return new Input<>(
          Optional.empty(),
          "<p class=\"note\">No <code>"
              + escape(file.getName())
              + "</code> in this run yet.</p>\n");
    }
    try {
      return new Input<>(Optional.of(reader.read(file)), "");
    } catch (IOException e) {
      return new Input<>(
          Optional.empty(),
          "<p class=\"problem\">Cannot read <code>"
              + escape(file.getName())
              + "</code>: "
              + escape(String.valueOf(e.getMessage()))
              + "</p>\n");
    }
  }

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
  private static String scriptSafe(String js) {
    return js.replaceAll("(?i)</(script)", "<\\\\/$1").replace("<!--", "<\\!--");
  }

  private static String resource(String name) {
    try (InputStream in = ReportWriter.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Resource " + name + " missing next to ReportWriter");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** 4 significant digits, plain between 1e-4 and 1e6, scientific elsewhere. */
  static String number(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e6) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    if (a >= 1e-4 && a < 1e6) {
      return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
    return String.format(Locale.ROOT, "%.3e", v);
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
  }

  /** e.g. {@code 42.0 s}, {@code 12 min 03 s}, {@code 2 h 05 min}. */
  static String duration(double seconds) {
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    long s = Math.round(seconds);
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }
}
