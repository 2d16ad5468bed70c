package dev.rlflow.jobs.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.answer.StepSplitter;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import dev.rlflow.core.task.Problem;
import dev.rlflow.core.task.arith.ArithGenerator;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.ArithSplit;
import dev.rlflow.core.task.dataset.DatasetReadResult;
import dev.rlflow.core.task.dataset.DatasetReader;
import dev.rlflow.core.task.dataset.DeadLetter;
import dev.rlflow.core.task.dataset.Layout;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The problems of a run's task, read where the job is built: generated for {@code arith} (the train
 * split for demonstrations, the disjoint test split for evaluation, both from {@code run.seed}), or
 * read from JSONL files on any Flink filesystem for {@code gsm8k} and {@code math}, malformed lines
 * set aside as dead letters.
 *
 * @param problems what the job will see, in order
 * @param deadLetters lines that could not be read
 * @param source where the problems came from, for messages
 */
public record TaskData(List<ProblemRecord> problems, List<DeadLetter> deadLetters, String source) {

  /** Which problems: demonstrations for training, or held-out problems for evaluation. */
  public enum Split {
    TRAIN,
    TEST
  }

  /**
   * {@code count} training questions after the demonstrations: prompts SFT has not seen, for
   * process-label collection and RL (their reference answers judge rollouts; their solutions are
   * not shown to the policy). For file datasets, the lines after the first {@code
   * task.train_examples}; fewer when the file ends.
   */
  public static TaskData prompts(RunConfig config, int count) throws IOException {
    int demonstrations = config.task().trainExamples();
    TaskData all = load(config, Split.TRAIN, demonstrations + count);
    List<ProblemRecord> fresh =
        all.problems()
            .subList(Math.min(demonstrations, all.problems().size()), all.problems().size());
    return new TaskData(List.copyOf(fresh), all.deadLetters(), all.source() + " (prompts)");
  }

  /**
   * Loads {@code split} for {@code config}; a missing dataset file fails here, before any job
   * starts, naming its URI.
   */
  public static TaskData load(RunConfig config, Split split) throws IOException {
    TaskConfig task = config.task();
    return load(config, split, split == Split.TRAIN ? task.trainExamples() : task.testExamples());
  }

  private static TaskData load(RunConfig config, Split split, int count) throws IOException {
    TaskConfig task = config.task();
    if (task.name() == TaskConfig.TaskName.ARITH) {
      ArithSplit arithSplit = split == Split.TRAIN ? ArithSplit.TRAIN : ArithSplit.TEST;
      List<ProblemRecord> problems = new ArrayList<>(count);
      for (ArithProblem arith :
          new ArithGenerator(task.arith(), arithSplit, config.run().seed()).generate(count)) {
        problems.add(of(arith.toProblem(), arith.operations().size()));
      }
      return new TaskData(problems, List.of(), "arith " + arithSplit.name().toLowerCase());
    }
    Optional<String> uri = split == Split.TRAIN ? task.trainPath() : task.testPath();
    if (uri.isEmpty()) {
      throw new IllegalArgumentException(
          "Missing value for task.test_path: evaluation of task "
              + task.name().name().toLowerCase()
              + " needs held-out problems");
    }
    Layout layout = Layout.fromName(task.name().name());
    Path path = new Path(uri.get());
    FileSystem fs = path.getFileSystem();
    if (!fs.exists(path)) {
      throw new FileNotFoundException(
          "Dataset "
              + uri.get()
              + " (task."
              + (split == Split.TRAIN ? "train_path" : "test_path")
              + ") does not exist");
    }
    DatasetReadResult read;
    try (Reader reader = new InputStreamReader(fs.open(path), StandardCharsets.UTF_8)) {
      read = DatasetReader.read(layout, reader, uri.get());
    }
    StepSplitter splitter = new StepSplitter(task.stepSeparator());
    List<ProblemRecord> problems = new ArrayList<>();
    for (Problem problem : read.problems().subList(0, Math.min(count, read.problems().size()))) {
      problems.add(of(problem, splitter.steps(problem.referenceSolution()).size()));
    }
    return new TaskData(problems, read.deadLetters(), uri.get());
  }

  /**
   * Writes the dead letters, one JSON object per line ({@code source}, {@code line_number}, {@code
   * reason}, {@code line}), to {@code file}; returns how many there were.
   */
  public int writeDeadLetters(Path file) throws IOException {
    if (deadLetters.isEmpty()) {
      return 0;
    }
    ObjectMapper json = new ObjectMapper();
    try (OutputStream out = file.getFileSystem().create(file, FileSystem.WriteMode.OVERWRITE)) {
      for (DeadLetter letter : deadLetters) {
        ObjectNode node = json.createObjectNode();
        node.put("source", letter.source())
            .put("line_number", letter.lineNumber())
            .put("reason", letter.reason())
            .put("line", letter.line());
        out.write(json.writeValueAsBytes(node));
        out.write('\n');
      }
    }
    return deadLetters.size();
  }

  private static ProblemRecord of(Problem problem, int steps) {
    return new ProblemRecord(
        problem.id(),
        problem.question(),
        problem.referenceSolution(),
        problem.referenceAnswer(),
        steps);
  }
}
