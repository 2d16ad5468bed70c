package dev.rlflow.jobs.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.core.fs.Path;

/**
 * The run's {@code metrics.csv}: one row per training step or RL iteration of any stage, with the
 * columns {@code stage,step,wall_seconds} followed by the union of all metric names in the order
 * they were first seen.
 *
 * <p>A cell is empty where its row has no such metric; numbers are written with {@link
 * Double#toString(double)} so that they read back bit for bit, including {@code NaN} and {@code
 * Infinity}. Fields are quoted as in RFC 4180 when they hold a comma, a quote or a line break.
 *
 * <p>Not thread-safe: one writer owns the table and {@linkplain #write rewrites} the whole file,
 * which stays small (one row per step).
 */
public final class MetricsTable {
  /** The file's name inside a run directory. */
  public static final String FILE_NAME = "metrics.csv";

  private static final List<String> FIXED_COLUMNS = List.of("stage", "step", "wall_seconds");

  private final List<Row> rows = new ArrayList<>();
  private final Set<String> metricNames = new LinkedHashSet<>();

  /**
   * One row of the table.
   *
   * @param stage the stage that produced it, e.g. {@code sft}
   * @param step the stage's step or iteration
   * @param wallSeconds seconds since the run started
   * @param metrics the row's metrics in column order; a metric absent here is an empty cell
   */
  public record Row(String stage, long step, double wallSeconds, Map<String, Double> metrics) {
    /** Validates the row and copies its metrics. */
    public Row {
      if (stage == null || stage.isBlank()) {
        throw new IllegalArgumentException(
            "Invalid value '" + stage + "' for stage: must not be blank");
      }
      if (!(wallSeconds >= 0) || Double.isInfinite(wallSeconds)) {
        throw new IllegalArgumentException(
            "Invalid value " + wallSeconds + " for wall_seconds: must be finite and >= 0");
      }
      Map<String, Double> copy = new LinkedHashMap<>();
      for (Map.Entry<String, Double> e : metrics.entrySet()) {
        String name = e.getKey();
        if (name == null || name.isEmpty() || FIXED_COLUMNS.contains(name)) {
          throw new IllegalArgumentException(
              "Invalid metric name '"
                  + name
                  + "' in stage "
                  + stage
                  + ": must be non-empty and not one of "
                  + FIXED_COLUMNS);
        }
        copy.put(name, Objects.requireNonNull(e.getValue(), () -> "metric " + name + " is null"));
      }
      metrics = Collections.unmodifiableMap(copy);
    }
  }

  /** Appends a row; its metric names not seen before become new columns at the end. */
  public void add(String stage, long step, double wallSeconds, Map<String, Double> metrics) {
    Row row = new Row(stage, step, wallSeconds, metrics);
    rows.add(row);
    metricNames.addAll(row.metrics().keySet());
  }

  /** The rows in the order they were added or read. */
  public List<Row> rows() {
    return Collections.unmodifiableList(rows);
  }

  /** The metric columns, in first-seen order, without {@code stage,step,wall_seconds}. */
  public List<String> metricNames() {
    return List.copyOf(metricNames);
  }

  /** Replaces {@code file} with the whole table, atomically where the filesystem allows it. */
  public void write(Path file) throws IOException {
    RunFiles.replace(file, toCsv().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a table written by {@link #write}.
   *
   * @throws IOException if the file is missing or is not such a table; the message names the file
   *     and the line
   */
  public static MetricsTable read(Path file) throws IOException {
    String text = new String(RunFiles.read(file), StandardCharsets.UTF_8);
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IOException("Malformed " + file + ": " + e.getMessage(), e);
    }
  }

  String toCsv() {
    StringBuilder out = new StringBuilder();
    List<String> header = new ArrayList<>(FIXED_COLUMNS);
    header.addAll(metricNames);
    appendLine(out, header);
    for (Row row : rows) {
      List<String> fields = new ArrayList<>(header.size());
      fields.add(row.stage());
      fields.add(Long.toString(row.step()));
      fields.add(Double.toString(row.wallSeconds()));
      for (String name : metricNames) {
        Double value = row.metrics().get(name);
        fields.add(value == null ? "" : Double.toString(value));
      }
      appendLine(out, fields);
    }
    return out.toString();
  }

  static MetricsTable parse(String text) {
    List<List<String>> records = CsvRecords.parse(text);
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no header line");
    }
    List<String> header = records.get(0);
    if (header.size() < FIXED_COLUMNS.size()
        || !header.subList(0, FIXED_COLUMNS.size()).equals(FIXED_COLUMNS)) {
      throw new IllegalArgumentException(
          "header " + header + " must start with " + String.join(",", FIXED_COLUMNS));
    }
    List<String> names = header.subList(FIXED_COLUMNS.size(), header.size());
    if (new LinkedHashSet<>(names).size() != names.size()) {
      throw new IllegalArgumentException("header " + header + " repeats a column");
    }
    MetricsTable table = new MetricsTable();
    table.metricNames.addAll(names);
    for (int r = 1; r < records.size(); r++) {
      List<String> fields = records.get(r);
      String where = "record " + (r + 1);
      if (fields.size() != header.size()) {
        throw new IllegalArgumentException(
            where + " has " + fields.size() + " fields, the header " + header.size());
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      for (int c = 0; c < names.size(); c++) {
        String cell = fields.get(FIXED_COLUMNS.size() + c);
        if (!cell.isEmpty()) {
          metrics.put(names.get(c), number(cell, names.get(c), where));
        }
      }
      long step;
      try {
        step = Long.parseLong(fields.get(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            where + ": invalid value '" + fields.get(1) + "' for step: must be an integer");
      }
      table.rows.add(
          new Row(fields.get(0), step, number(fields.get(2), "wall_seconds", where), metrics));
    }
    return table;
  }

  private static double number(String cell, String column, String where) {
    try {
      return Double.parseDouble(cell);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + ": invalid value '" + cell + "' for " + column + ": must be a number");
    }
  }

  private static void appendLine(StringBuilder out, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      String field = fields.get(i);
      if (field.indexOf(',') >= 0
          || field.indexOf('"') >= 0
          || field.indexOf('\n') >= 0
          || field.indexOf('\r') >= 0) {
        out.append('"').append(field.replace("\"", "\"\"")).append('"');
      } else {
        out.append(field);
      }
    }
    out.append('\n');
  }

  /** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
  private static final class CsvRecords {
    static List<List<String>> parse(String text) {
      List<List<String>> records = new ArrayList<>();
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean wasQuoted = false;
      int line = 1;
      for (int i = 0; i < text.length(); i++) {
        char ch = text.charAt(i);
        if (quoted) {
          if (ch == '"') {
            if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
              field.append('"');
              i++;
            } else {
              quoted = false;
            }
          } else {
            if (ch == '\n') {
              line++;
            }
            field.append(ch);
          }
        } else if (ch == '"') {
          if (field.length() > 0 || wasQuoted) {
            throw new IllegalArgumentException("line " + line + ": stray quote in a field");
          }
          quoted = true;
          wasQuoted = true;
        } else if (ch == ',') {
          fields.add(field.toString());
          field.setLength(0);
          wasQuoted = false;
        } else if (ch == '\n' || ch == '\r') {
          if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
            i++;
          }
          fields.add(field.toString());
          field.setLength(0);
          wasQuoted = false;
          if (!(fields.size() == 1 && fields.get(0).isEmpty())) {
            records.add(fields);
          }
          fields = new ArrayList<>();
          line++;
        } else {
          if (wasQuoted) {
            throw new IllegalArgumentException("line " + line + ": text after a closing quote");
          }
          field.append(ch);
        }
      }
      if (quoted) {
        throw new IllegalArgumentException("line " + line + ": unterminated quoted field");
      }
      if (field.length() > 0 || wasQuoted || !fields.isEmpty()) {
        fields.add(field.toString());
        records.add(fields);
      }
      return records;
    }
  }
}
