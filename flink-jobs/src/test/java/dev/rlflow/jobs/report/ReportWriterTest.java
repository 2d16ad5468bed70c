package dev.rlflow.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.jobs.eval.EvalResult;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

  @TempDir java.nio.file.Path dir;

  private RunDirectory run() {
    return new RunDirectory("run-1", new Path(dir.toUri()));
  }

  /**
   * A run with every input: two stages, metrics of one named {@code <sft>}, a figure named {@code
   * <loss>}, and an extra metric.
   */
  private RunDirectory fullRun() throws IOException {
    RunDirectory run = run();
    MetricsTable metrics = new MetricsTable();
    for (int step = 0; step < 20; step++) {
      metrics.add(
          "<sft>",
          step,
          step * 2.0,
          Map.of("loss", 2.0 / (1 + step), "lr", 1e-4 * Math.min(1, step / 5.0)));
    }
    for (int step = 0; step < 10; step++) {
      metrics.add(
          "rl",
          step,
          40.0 + step,
          Map.of(
              "loss",
              0.5 - 0.01 * step,
              "reward",
              0.1 * step,
              "kl_divergence",
              0.01 * step,
              "logprob_gap_max",
              step < 5 ? 0.0 : 0.2));
    }
    metrics.write(run.resolve(MetricsTable.FILE_NAME));
    EvalResult.of(
            List.of(
                new EvalResult.ProblemOutcome(2, 2, true, 4, 3, -2.0, 4),
                new EvalResult.ProblemOutcome(3, 1, false, 4, 1, -2.0, 4),
                new EvalResult.ProblemOutcome(4, 2, false, 4, 0, -2.0, 4)),
            List.of(1, 4))
        .write(run.resolve(EvalResult.FILE_NAME));
    new RunSummary(
            "run-1",
            "c0ffee42",
            3725.0,
            List.of(
                new RunSummary.Stage(StageName.SFT, 40.0, Map.of("accuracy", 0.5, "<loss>", 0.1)),
                new RunSummary.Stage(StageName.RL, 10.0, Map.of("reward", 0.9))))
        .write(run.resolve(RunSummary.FILE_NAME));
    Files.writeString(
        dir.resolve("config.yaml"),
        "# rlflow run run-1\n# config hash: c0ffee42\nrun:\n  name: \"a & b </script>\"\n"
            + "  note: \"{{data}}\"\n");
    return run;
  }

  @Test
  void inlinesChartJsAndEmbedsTheData() throws IOException {
    RunDirectory run = fullRun();

    Path file = new ReportWriter(CLOCK).write(run);
    String html = Files.readString(dir.resolve(ReportWriter.FILE_NAME));

    assertThat(file.getName()).isEqualTo("report.html");
    assertThat(html).containsPattern("Chart\\.js v\\d+\\.\\d+\\.\\d+");
    assertThat(html).contains("<title>rlflow run run-1</title>");
    assertThat(text(html)).contains("Config hash c0ffee42");
    assertThat(html).contains("1 h 02 min"); // 3725 s
    assertThat(html).contains("Written by rlflow at 2026-01-02T03:04:05Z");
    assertThat(html).contains("data-metric=\"loss\"", "data-metric=\"lr\"");
    assertThat(html).contains("data-metric=\"reward\"", "data-metric=\"kl_divergence\"");
    assertThat(html).contains("data-chart=\"by-steps\"");
    // the sampler-vs-trainer log-prob gap has its curve in the RL section
    assertThat(html).contains("data-metric=\"logprob_gap_max\"");
    assertThat(text(html)).contains("log-prob gap, sampler vs trainer before the first update");
    assertThat(text(html)).contains("pass@4 ", "accuracy (greedy, exact answer) 33.3 %");
    assertThat(html).contains("\"kl_divergence\":[{\"stage\":\"rl\",\"points\":[[0,0.0],");
    assertThat(html).contains("\"by_steps\":[{\"steps\":2,\"problems\":1,");
    assertThat(html).doesNotContain("No <code>");
  }

  @Test
  void referencesNothingOutsideThePage() throws IOException {
    String html = new ReportWriter(CLOCK).render(fullRun());

    assertThat(html)
        .doesNotContainPattern(Pattern.compile("<script[^>]*\\ssrc=", Pattern.CASE_INSENSITIVE));
    assertThat(html).doesNotContainPattern(Pattern.compile("<link\\b", Pattern.CASE_INSENSITIVE));
    assertThat(html)
        .doesNotContainPattern(Pattern.compile("(src|href)\\s*=\\s*[\"']?(https?:)?//"));
    assertThat(html).doesNotContainPattern("@import|url\\(");
  }

  @Test
  void escapesEmbeddedText() throws IOException {
    String html = new ReportWriter(CLOCK).render(fullRun());

    assertThat(html).doesNotContain("<sft>").doesNotContain("<loss>");
    assertThat(html).contains("<th>&lt;loss&gt;</th>"); // stage table
    assertThat(html).contains("\"stages\":[\"\\u003csft\\u003e\",\"rl\"]"); // chart data
    assertThat(html).contains("name: &quot;a &amp; b &lt;/script&gt;&quot;"); // config
    assertThat(html).contains("note: &quot;{{data}}&quot;"); // values are not templates
    // Only the elements the writer opens end a script: the data one, Chart.js and report.js.
    assertThat(Pattern.compile("</script", Pattern.CASE_INSENSITIVE).matcher(html).results())
        .hasSize(3);
  }

  @Test
  void escapesAStageNameThatTriesToEndTheScript() throws IOException {
    RunDirectory run = run();
    MetricsTable metrics = new MetricsTable();
    metrics.add("</script><script>alert(1)</script>", 0, 1.0, Map.of("loss", 1.0));
    metrics.write(run.resolve(MetricsTable.FILE_NAME));

    String html = new ReportWriter(CLOCK).render(run);

    assertThat(html).doesNotContain("alert(1)</script>");
    assertThat(html).contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)");
    assertThat(html).contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  }

  @Test
  void saysWhichInputsAreMissingInsteadOfFailing() throws IOException {
    String html = new ReportWriter(CLOCK).render(run());

    assertThat(html).contains("<title>rlflow run run-1</title>");
    assertThat(html).contains("No <code>summary.json</code> in this run yet.");
    assertThat(html).contains("No <code>metrics.csv</code> in this run yet.");
    assertThat(html).contains("No <code>eval.json</code> in this run yet.");
    assertThat(html).contains("No <code>config.yaml</code> in this run yet.");
    assertThat(text(html)).contains("Config hash unknown");
    assertThat(html).doesNotContain("<canvas");
  }

  @Test
  void aRunInProgressTakesItsFactsFromMetricsAndConfig() throws IOException {
    RunDirectory run = run();
    MetricsTable metrics = new MetricsTable();
    metrics.add("sft", 0, 10.0, Map.of("loss", 2.0));
    metrics.add("sft", 1, 75.0, Map.of("loss", 1.5));
    metrics.write(run.resolve(MetricsTable.FILE_NAME));
    Files.writeString(dir.resolve("config.yaml"), "# config hash: ab12\nseed: 1\n");

    String html = new ReportWriter(CLOCK).render(run);

    assertThat(text(html)).contains("Config hash ab12");
    assertThat(html).contains("1 min 15 s so far (latest metrics row)");
    assertThat(text(html)).contains("sft 2 1 1 min 15 s"); // stage, rows, last step, wall time
    assertThat(html).contains("No <code>lr</code> values in metrics.csv yet.");
    assertThat(html).contains("No other metric columns in metrics.csv.");
  }

  @Test
  void anUnreadableInputIsReportedInItsSection() throws IOException {
    RunDirectory run = fullRun();
    Files.writeString(dir.resolve("eval.json"), "{\"problems\": ");

    String html = new ReportWriter(CLOCK).render(run);

    assertThat(html).contains("<p class=\"problem\">Cannot read <code>eval.json</code>: ");
    assertThat(html).contains("data-metric=\"loss\""); // the rest is still there
  }

  @Test
  void withoutChartJsThePageKeepsItsTables() throws IOException {
    String html = new ReportWriter(CLOCK, Optional.empty()).render(fullRun());

    assertThat(html).doesNotContain("<canvas").doesNotContain("Chart.js v");
    assertThat(html).contains("Charts unavailable: Chart.js (org.webjars.npm:chart.js)");
    assertThat(text(html)).contains("pass@1 33.3 %");
  }

  @Test
  void thinsLongLinesButKeepsTheirLastPoint() throws IOException {
    RunDirectory run = run();
    MetricsTable metrics = new MetricsTable();
    int rows = 2 * ChartData.MAX_POINTS + 1;
    for (int step = 0; step < rows; step++) {
      metrics.add("sft", step, step, Map.of("loss", 1.0));
    }
    metrics.write(run.resolve(MetricsTable.FILE_NAME));

    String html = new ReportWriter(CLOCK).render(run);

    // stride 3 over 4001 rows: steps 0, 3, ..., 3999 (1334 points) and the last, 4000
    assertThat(html).contains("[[0,1.0],[3,1.0],[6,1.0],");
    assertThat(html).contains(",[3999,1.0],[4000,1.0]]");
    assertThat(Pattern.compile("\\[\\d+,1\\.0]").matcher(html).results()).hasSize(1335);
  }

  @Test
  void hasEverySectionInPageOrder() throws IOException {
    String html = new ReportWriter(CLOCK).render(fullRun());

    assertThat(Pattern.compile("<section id=\"([a-z]+)\">").matcher(html).results())
        .extracting(m -> m.group(1))
        .containsExactly("stages", "rl", "training", "eval", "metrics", "config");
  }

  @Test
  void statesTheStagesFiguresAndTheRlComparison() throws IOException {
    RunDirectory run = fullRun();
    new RunSummary(
            "run-1",
            "c0ffee42",
            100.0,
            List.of(
                new RunSummary.Stage(StageName.SFT, 40.0, Map.of("accuracy", 0.5)),
                new RunSummary.Stage(StageName.EVAL, 2.0, Map.of("accuracy", 0.5)),
                new RunSummary.Stage(StageName.RL, 75.0, Map.of("final_sample_accuracy", 0.123456)),
                new RunSummary.Stage(
                    StageName.EVAL_RL, 2.0, Map.of("accuracy", 0.625, "step_accuracy", 0.75))),
            Optional.of("ab".repeat(32)))
        .write(run.resolve(RunSummary.FILE_NAME));

    String text = text(new ReportWriter(CLOCK).render(run));

    assertThat(text).contains("rl 1 min 15 s").contains("0.1235"); // stage table
    assertThat(text).contains("before RL (SFT) 50.0 % NaN % 40.0 s");
    assertThat(text).contains("after RL 62.5 % 75.0 % 1 min 15 s");
    assertThat(text).doesNotContain("control: continued SFT");
    assertThat(text).contains("Final policy weights SHA-256 " + "ab".repeat(32));
  }

  /** The page's visible text: scripts dropped, tags replaced by spaces, whitespace collapsed. */
  private static String text(String html) {
    return html.replaceAll("(?s)<(script|style)\\b.*?</\\1>", " ")
        .replaceAll("<[^>]*>", " ")
        .replaceAll("\\s+", " ");
  }

  @Test
  void formatsNumbersAndDurations() {
    assertThat(FigureFormat.number(0.123456)).isEqualTo("0.1235");
    assertThat(FigureFormat.number(4096)).isEqualTo("4096");
    assertThat(FigureFormat.number(1e-5)).isEqualTo("1.000e-05");
    assertThat(FigureFormat.number(Double.NaN)).isEqualTo("NaN");
    assertThat(FigureFormat.duration(42.04)).isEqualTo("42.0 s");
    assertThat(FigureFormat.duration(723)).isEqualTo("12 min 03 s");
    assertThat(FigureFormat.duration(7500)).isEqualTo("2 h 05 min");
  }
}
