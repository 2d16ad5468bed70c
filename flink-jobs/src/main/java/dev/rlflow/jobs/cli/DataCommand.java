package dev.rlflow.jobs.cli;

import dev.rlflow.core.answer.AnswerVerifier;
import dev.rlflow.core.task.Problem;
import dev.rlflow.core.task.arith.ArithGenerator;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.ArithSpec;
import dev.rlflow.core.task.arith.ArithSplit;
import dev.rlflow.core.task.dataset.AnnotationMismatch;
import dev.rlflow.core.task.dataset.DatasetReadResult;
import dev.rlflow.core.task.dataset.DatasetReader;
import dev.rlflow.core.task.dataset.Layout;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rlflow data sample|check}: look at task data before training on it. */
@Command(
    name = "data",
    description = "Sample synthetic problems and check dataset files.",
    mixinStandardHelpOptions = true,
    subcommands = {DataCommand.Sample.class, DataCommand.Check.class})
final class DataCommand {

  @Command(
      name = "sample",
      description = "Print generated problems with their reference solutions.",
      mixinStandardHelpOptions = true)
  static final class Sample implements Callable<Integer> {
    @Option(
        names = "--task",
        defaultValue = "arith",
        description = "The synthetic task (only arith is generated). Default: ${DEFAULT-VALUE}.")
    String task;

    @Option(names = "--count", defaultValue = "5", description = "Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--seed", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
        names = "--split",
        defaultValue = "TRAIN",
        description = "train or test (disjoint). Default: train.",
        converter = SplitConverter.class)
    ArithSplit split;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (!task.equals("arith")) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "Invalid value "
                + task
                + " for --task: must be arith (gsm8k and math come from files)");
      }
      if (count < 1) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "Invalid value " + count + " for --count: must be >= 1");
      }
      PrintWriter out = spec.commandLine().getOut();
      ArithGenerator generator = new ArithGenerator(ArithSpec.defaults(), split, seed);
      for (ArithProblem arith : generator.generate(count)) {
        Problem problem = arith.toProblem();
        out.printf(
            "# %s (%d steps)%n%s%n%s%n%n",
            problem.id(),
            arith.operations().size(),
            problem.question(),
            problem.referenceSolution());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "check",
      description = {
        "Read a JSONL dataset and report problems, dead letters (line and reason),",
        "calculator-annotation errors and how many reference answers the verifier accepts."
      },
      mixinStandardHelpOptions = true)
  static final class Check implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "A JSONL file.")
    Path file;

    @Option(
        names = "--layout",
        required = true,
        description =
            "gsm8k (question, answer with '#### N') or math (problem, solution with"
                + " \\boxed{}).",
        converter = LayoutConverter.class)
    Layout layout;

    @Option(
        names = "--show",
        defaultValue = "20",
        description = "Dead letters and annotation errors listed. Default: ${DEFAULT-VALUE}.")
    int show;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      DatasetReadResult result = DatasetReader.read(layout, file);
      AnswerVerifier verifier = new AnswerVerifier();
      long accepted =
          result.problems().stream()
              .filter(p -> verifier.verify(p.referenceSolution(), p.referenceAnswer()).correct())
              .count();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%s (%s layout)%n", file, layout.configName());
      out.printf("  problems:             %d%n", result.problems().size());
      out.printf("  dead letters:         %d%n", result.deadLetters().size());
      out.printf(
          "  verifier accepts:     %d of %d reference answers%n",
          accepted, result.problems().size());
      if (result.layout() == Layout.GSM8K) {
        out.printf(
            "  calculator annotations: %d, %d do not evaluate to their value%n",
            result.annotationCount(), result.annotationErrors());
      }
      result.deadLetters().stream()
          .limit(show)
          .forEach(d -> out.printf("  dead letter line %d: %s%n", d.lineNumber(), d.reason()));
      result.annotationMismatches().stream()
          .limit(show)
          .forEach(m -> out.printf("  annotation line %d: %s%n", m.lineNumber(), describe(m)));
      out.flush();
      return 0;
    }

    private static String describe(AnnotationMismatch m) {
      return m.annotation() + ": " + m.reason();
    }
  }

  static final class SplitConverter implements picocli.CommandLine.ITypeConverter<ArithSplit> {
    @Override
    public ArithSplit convert(String value) {
      return switch (value.toLowerCase(java.util.Locale.ROOT)) {
        case "train" -> ArithSplit.TRAIN;
        case "test" -> ArithSplit.TEST;
        default ->
            throw new picocli.CommandLine.TypeConversionException(
                "Invalid value " + value + " for --split: must be train or test");
      };
    }
  }

  static final class LayoutConverter implements picocli.CommandLine.ITypeConverter<Layout> {
    @Override
    public Layout convert(String value) {
      try {
        return Layout.fromName(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
