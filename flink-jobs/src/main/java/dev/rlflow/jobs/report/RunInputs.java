package dev.rlflow.jobs.report;

import dev.rlflow.jobs.eval.EvalResult;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunFiles;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.Path;

/**
 * What a run directory holds now for the report, each file read or a note saying why not.
 *
 * @param summary {@code summary.json}
 * @param metrics {@code metrics.csv}
 * @param eval {@code eval.json}
 * @param config {@code config.yaml}, as text
 */
record RunInputs(
    Input<RunSummary> summary,
    Input<MetricsTable> metrics,
    Input<EvalResult> eval,
    Input<String> config) {
  private static final Pattern CONFIG_HASH = Pattern.compile("(?m)^# config hash: *(\\S+)\\s*$");

  /**
   * What was read from one input file, or why nothing was.
   *
   * @param value the file's content, if it could be read
   * @param note markup saying the file is missing or unreadable; empty when read
   */
  record Input<T>(Optional<T> value, String note) {}

  /** Reads the run directory's inputs; a missing or unreadable file becomes a note. */
  static RunInputs read(RunDirectory run) throws IOException {
    return new RunInputs(
        load(run.resolve(RunSummary.FILE_NAME), RunSummary::read),
        load(run.resolve(MetricsTable.FILE_NAME), MetricsTable::read),
        load(run.resolve(EvalResult.FILE_NAME), EvalResult::read),
        load(
            run.resolve("config.yaml"), p -> new String(RunFiles.read(p), StandardCharsets.UTF_8)));
  }

  /** The config hash: the summary's, else the one {@code config.yaml}'s header states. */
  Optional<String> configHash() {
    return summary
        .value()
        .map(RunSummary::configHash)
        .or(
            () ->
                config
                    .value()
                    .flatMap(
                        yaml -> {
                          Matcher m = CONFIG_HASH.matcher(yaml);
                          return m.find() ? Optional.of(m.group(1)) : Optional.empty();
                        }));
  }

  /** The run's wall time: the summary's, else the latest metrics row's ("so far"). */
  Optional<String> wallTime() {
    if (summary.value().isPresent()) {
      return Optional.of(FigureFormat.duration(summary.value().get().wallSeconds()));
    }
    if (metrics.value().isPresent() && !metrics.value().get().rows().isEmpty()) {
      double latest = 0;
      for (MetricsTable.Row row : metrics.value().get().rows()) {
        latest = Math.max(latest, row.wallSeconds());
      }
      return Optional.of(FigureFormat.duration(latest) + " so far (latest metrics row)");
    }
    return Optional.empty();
  }

  private interface Reader<T> {
    T read(Path file) throws IOException;
  }

  private static <T> Input<T> load(Path file, Reader<T> reader) throws IOException {
    if (!file.getFileSystem().exists(file)) {
      return new Input<>(
          Optional.empty(),
          "<p class=\"note\">No <code>"
              + HtmlText.escape(file.getName())
              + "</code> in this run yet.</p>\n");
    }
    try {
      return new Input<>(Optional.of(reader.read(file)), "");
    } catch (IOException e) {
      return new Input<>(
          Optional.empty(),
          "<p class=\"problem\">Cannot read <code>"
              + HtmlText.escape(file.getName())
              + "</code>: "
              + HtmlText.escape(String.valueOf(e.getMessage()))
              + "</p>\n");
    }
  }
}
