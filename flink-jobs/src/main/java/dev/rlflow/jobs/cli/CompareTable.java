package dev.rlflow.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What {@code rlflow compare} measured: one row per variant and seed, printed and written as JSON
 * with each variant's held-out accuracy as the mean and sample standard deviation over its seeds.
 */
final class CompareTable {
  /**
   * What one variant measured with one seed.
   *
   * @param accuracy held-out accuracy of the policy RL wrote
   * @param iterations RL iterations done (fewer than rollout.iterations when a budget ended it)
   * @param wallSeconds the RL stage's wall time
   * @param mcRolloutsPerIteration Monte Carlo continuations per iteration (vineppo), else NaN
   * @param acceptedWrongSteps of the responses the verifier accepted, the share with a wrong step
   *     by the ground-truth step checker (arith), averaged over the iterations; else NaN
   */
  record Row(
      long seed,
      double accuracy,
      double iterations,
      double wallSeconds,
      double genTokensPerSecond,
      double trainTokensPerSecond,
      double logProbGapMax,
      double mcRolloutsPerIteration,
      double acceptedWrongSteps) {}

  private final double start;
  private final Map<String, List<Row>> rows = new LinkedHashMap<>();

  /** A table of variants trained from a policy of held-out accuracy {@code start}. */
  CompareTable(double start) {
    this.start = start;
  }

  void add(String variant, Row row) {
    rows.computeIfAbsent(variant, v -> new ArrayList<>()).add(row);
  }

  /** Prints one line per variant: means over its seeds, the accuracy's standard deviation. */
  void print(PrintWriter out) {
    out.printf(
        "%-20s %16s %9s %6s %8s %10s %11s %9s %9s %11s%n",
        "variant",
        "accuracy",
        "vs start",
        "seeds",
        "iters",
        "wall s",
        "gen tok/s",
        "MC/iter",
        "gap max",
        "wrong-step");
    out.printf("%-20s %7.1f%% %8s%n", "start (no RL)", 100 * start, "");
    rows.forEach(
        (variant, runs) ->
            out.printf(
                "%-20s %7.1f%% ± %4.1f %+8.1f  %6d %8.1f %10.1f %11.0f %9s %9.1e %11s%n",
                variant,
                100 * mean(runs, Row::accuracy),
                100 * std(runs, Row::accuracy),
                100 * (mean(runs, Row::accuracy) - start),
                runs.size(),
                mean(runs, Row::iterations),
                mean(runs, Row::wallSeconds),
                mean(runs, Row::genTokensPerSecond),
                orDash("%.0f", mean(runs, Row::mcRolloutsPerIteration)),
                max(runs, Row::logProbGapMax),
                orDash("%.1f%%", 100 * mean(runs, Row::acceptedWrongSteps))));
  }

  /**
   * Writes {@code {"<variant>": {"accuracy_mean", "accuracy_std", "seeds", "accuracies",
   * "iterations", "wall_seconds", "gen_tokens_per_s", "train_tokens_per_s", "logprob_gap_max",
   * "mc_rollouts_per_iteration", "accepted_wrong_steps", "start_accuracy"}, ...}} to {@code file}.
   */
  void writeJson(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    rows.forEach(
        (variant, runs) -> {
          ObjectNode node = root.putObject(variant);
          node.put("accuracy_mean", mean(runs, Row::accuracy));
          node.put("accuracy_std", std(runs, Row::accuracy));
          runs.forEach(r -> node.withArray("seeds").add(r.seed()));
          runs.forEach(r -> node.withArray("accuracies").add(r.accuracy()));
          node.put("iterations", mean(runs, Row::iterations));
          node.put("wall_seconds", mean(runs, Row::wallSeconds));
          node.put("gen_tokens_per_s", mean(runs, Row::genTokensPerSecond));
          node.put("train_tokens_per_s", mean(runs, Row::trainTokensPerSecond));
          double gap = max(runs, Row::logProbGapMax);
          if (Double.isNaN(gap)) {
            node.putNull("logprob_gap_max"); // no iteration trained (raft accepted nothing)
          } else {
            node.put("logprob_gap_max", gap);
          }
          double mc = mean(runs, Row::mcRolloutsPerIteration);
          if (!Double.isNaN(mc)) {
            node.put("mc_rollouts_per_iteration", mc);
          }
          double wrongSteps = mean(runs, Row::acceptedWrongSteps);
          if (!Double.isNaN(wrongSteps)) {
            node.put("accepted_wrong_steps", wrongSteps);
          }
          node.put("start_accuracy", start);
        });
    Files.write(file, mapper.writeValueAsBytes(root));
  }

  /** {@code value} in {@code format}, or "-" where the variant has no such figure (NaN). */
  private static String orDash(String format, double value) {
    return Double.isNaN(value) ? "-" : String.format(format, value);
  }

  static double mean(List<Row> runs, ToDoubleFunction<Row> figure) {
    return runs.stream().mapToDouble(figure).average().orElse(Double.NaN);
  }

  /** The sample standard deviation (n - 1), 0 for one seed. */
  static double std(List<Row> runs, ToDoubleFunction<Row> figure) {
    if (runs.size() < 2) {
      return 0;
    }
    double mean = mean(runs, figure);
    double squares =
        runs.stream().mapToDouble(r -> Math.pow(figure.applyAsDouble(r) - mean, 2)).sum();
    return Math.sqrt(squares / (runs.size() - 1));
  }

  private static double max(List<Row> runs, ToDoubleFunction<Row> figure) {
    return runs.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
  }
}
