package dev.rlflow.core.task.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.task.Problem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a JSONL dataset in a given {@link Layout} into problems, setting malformed lines aside as
 * dead letters and reading on.
 *
 * <p>Every non-blank line must be one JSON object; blank lines are skipped and not reported. A line
 * becomes a dead letter when it is not valid JSON (trailing text and duplicate keys included), is
 * not an object, lacks a required field or has one that is not a non-empty string, has an {@code
 * id} that is neither a non-empty string nor a number, repeats an earlier line's id, or has no
 * final answer where its layout puts one. A problem's id is its {@code id} field when present, else
 * {@code <source>:<lineNumber>}.
 */
public final class DatasetReader {
  /** How much of a rejected line a dead letter keeps. */
  public static final int MAX_EXCERPT_CHARS = 500;

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private DatasetReader() {}

  /**
   * Reads every line of {@code reader}, which the caller keeps open and closes.
   *
   * @param layout the layout of the lines
   * @param reader the text, already decoded (datasets are UTF-8)
   * @param source the name used in ids and dead letters, for example {@code train.jsonl}
   * @throws IOException when reading fails; malformed lines never throw
   */
  public static DatasetReadResult read(Layout layout, Reader reader, String source)
      throws IOException {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(reader, "reader");
    Objects.requireNonNull(source, "source");
    BufferedReader lines =
        reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
    List<Problem> problems = new ArrayList<>();
    List<DeadLetter> deadLetters = new ArrayList<>();
    List<AnnotationMismatch> mismatches = new ArrayList<>();
    Map<String, Long> firstLineOfId = new HashMap<>();
    int annotations = 0;
    long lineNumber = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      lineNumber++;
      if (lineNumber == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1); // a byte order mark is encoding, not content
      }
      if (line.isBlank()) {
        continue;
      }
      try {
        ParsedProblem parsed = parse(layout, new JsonLine(object(line), source, lineNumber));
        String id = parsed.problem().id();
        Long firstLine = firstLineOfId.putIfAbsent(id, lineNumber);
        if (firstLine != null) {
          throw new MalformedRecordException(
              "duplicate id '" + id + "', first used on line " + firstLine);
        }
        problems.add(parsed.problem());
        annotations += parsed.annotationCount();
        mismatches.addAll(parsed.annotationMismatches());
      } catch (MalformedRecordException e) {
        deadLetters.add(new DeadLetter(source, lineNumber, excerpt(line), e.getMessage()));
      }
    }
    return new DatasetReadResult(source, layout, problems, deadLetters, annotations, mismatches);
  }

  /**
   * Reads the UTF-8 file {@code file}; its file name is the source name.
   *
   * @throws IOException when the file cannot be read or is not valid UTF-8
   */
  public static DatasetReadResult read(Layout layout, Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(layout, reader, String.valueOf(file.getFileName()));
    }
  }

  private static ObjectNode object(String line) throws MalformedRecordException {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new MalformedRecordException("invalid JSON: " + e.getOriginalMessage());
    }
    if (!(node instanceof ObjectNode object)) {
      throw new MalformedRecordException("expected a JSON object, got " + JsonLine.describe(node));
    }
    return object;
  }

  private static ParsedProblem parse(Layout layout, JsonLine line) throws MalformedRecordException {
    return switch (layout) {
      case GSM8K -> Gsm8kParser.parse(line);
      case MATH -> MathParser.parse(line);
    };
  }

  private static String excerpt(String line) {
    if (line.length() <= MAX_EXCERPT_CHARS) {
      return line;
    }
    int end = MAX_EXCERPT_CHARS;
    if (Character.isHighSurrogate(line.charAt(end - 1))) {
      end--; // never split a character in two
    }
    return line.substring(0, end) + "... (" + line.length() + " chars)";
  }
}
