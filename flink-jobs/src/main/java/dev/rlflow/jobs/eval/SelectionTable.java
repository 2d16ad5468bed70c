package dev.rlflow.jobs.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.config.RewardConfig.Aggregation;
import dev.rlflow.jobs.run.RunFiles;
import dev.rlflow.reward.prm.Selection;
import dev.rlflow.reward.prm.StepAggregation;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.core.fs.Path;

/**
 * Test-time selection on held-out problems (ALGORITHMS.md §2): for each N, the accuracy of the
 * greedy solution, majority vote over N samples, best-of-N by the PRM with each aggregation,
 * PRM-weighted self-consistency, and the oracle pass@N (some sample is correct); and per PRM
 * objective, the share of sampled steps whose score, against that PRM's decision threshold, agrees
 * with the ground-truth step checker. {@code selection.json}: {@code {"n8": {...}, "n16": {...},
 * "prm_step_accuracy": {"soft": …, "hard": …, "pairwise": …}}}.
 *
 * @param problems held-out problems
 * @param selectionPrm the objective of the PRM that selects (best-of-N, weighted SC)
 * @param byN accuracies by N, in increasing N, each keyed as in the JSON
 * @param prmStepAccuracy by objective; null for an objective without a PRM
 */
public record SelectionTable(
    int problems,
    String selectionPrm,
    Map<Integer, Map<String, Double>> byN,
    Map<String, Double> prmStepAccuracy) {

  /** The file's name inside a run directory. */
  public static final String FILE_NAME = "selection.json";

  /** The methods compared, keys of each N's accuracies, in order. */
  public static final List<String> METHODS =
      List.of(
          "greedy",
          "majority",
          "best_of_n_min",
          "best_of_n_product",
          "best_of_n_last",
          "weighted_sc",
          "pass_at_n");

  /** The objectives reported, in order. */
  public static final List<String> OBJECTIVES = List.of("soft", "hard", "pairwise");

  /**
   * Aggregates per-problem results.
   *
   * @param ns the N to report, each at most the samples per problem
   * @param selectionPrm the objective whose scores select
   * @param weightedAggregation how weighted self-consistency turns step scores into a weight
   * @param thresholds each PRM's decision threshold, by objective
   */
  public static SelectionTable of(
      List<SelectionResult> results,
      List<Integer> ns,
      String selectionPrm,
      Aggregation weightedAggregation,
      Map<String, Double> thresholds) {
    if (results.isEmpty()) {
      throw new IllegalArgumentException("No selection results to aggregate");
    }
    Map<Integer, Map<String, Double>> byN = new LinkedHashMap<>();
    for (int n : ns) {
      Map<String, Double> correct = new LinkedHashMap<>();
      for (String key : METHODS) {
        correct.put(key, 0.0);
      }
      for (SelectionResult r : results) {
        if (r.samples().size() < n) {
          throw new IllegalArgumentException(
              "Problem "
                  + r.problemId()
                  + " has "
                  + r.samples().size()
                  + " samples, fewer than "
                  + n);
        }
        List<SelectionSample> samples = r.samples().subList(0, n);
        Map<String, Boolean> answerCorrect = new LinkedHashMap<>();
        for (SelectionSample s : samples) {
          if (s.answerKey() != null) {
            answerCorrect.merge(s.answerKey(), s.correct(), Boolean::logicalOr);
          }
        }
        add(correct, "greedy", r.greedyCorrect());
        add(
            correct,
            "majority",
            hit(Selection.majority(candidates(samples, null, null)), answerCorrect));
        add(
            correct,
            "best_of_n_min",
            hit(
                Selection.bestOfN(candidates(samples, selectionPrm, Aggregation.MIN)),
                answerCorrect));
        add(
            correct,
            "best_of_n_product",
            hit(
                Selection.bestOfN(candidates(samples, selectionPrm, Aggregation.PRODUCT)),
                answerCorrect));
        add(
            correct,
            "best_of_n_last",
            hit(
                Selection.bestOfN(candidates(samples, selectionPrm, Aggregation.LAST)),
                answerCorrect));
        add(
            correct,
            "weighted_sc",
            hit(
                Selection.weightedSelfConsistency(
                    candidates(samples, selectionPrm, weightedAggregation)),
                answerCorrect));
        add(correct, "pass_at_n", samples.stream().anyMatch(SelectionSample::correct));
      }
      correct.replaceAll((k, v) -> v / results.size());
      byN.put(n, correct);
    }
    Map<String, Double> stepAccuracy = new LinkedHashMap<>();
    for (String objective : OBJECTIVES) {
      long steps = 0;
      long agree = 0;
      double threshold = thresholds.getOrDefault(objective, 0.5);
      for (SelectionResult r : results) {
        for (SelectionSample s : r.samples()) {
          double[] scores = s.stepScores().get(objective);
          if (scores == null) {
            continue;
          }
          for (int t = 0; t < s.stepTruth().length; t++) {
            steps++;
            agree += (scores[t] > threshold) == s.stepTruth()[t] ? 1 : 0;
          }
        }
      }
      stepAccuracy.put(objective, steps == 0 ? null : (double) agree / steps);
    }
    return new SelectionTable(results.size(), selectionPrm, byN, stepAccuracy);
  }

  /**
   * The samples as selection candidates, weighted by the {@code objective} PRM's step scores
   * aggregated by {@code aggregation} (unweighted when {@code objective} is null).
   */
  private static List<Selection.Candidate> candidates(
      List<SelectionSample> samples, String objective, Aggregation aggregation) {
    List<Selection.Candidate> candidates = new ArrayList<>(samples.size());
    for (SelectionSample s : samples) {
      double score = 1.0;
      if (objective != null) {
        double[] steps = s.stepScores().get(objective);
        if (steps == null) {
          throw new IllegalArgumentException("No " + objective + " PRM scores to select with");
        }
        score = StepAggregation.aggregate(aggregation, steps);
      }
      candidates.add(new Selection.Candidate(Optional.ofNullable(s.answerKey()), score));
    }
    return candidates;
  }

  private static boolean hit(Optional<String> chosen, Map<String, Boolean> answerCorrect) {
    return chosen.map(a -> answerCorrect.getOrDefault(a, false)).orElse(false);
  }

  private static void add(Map<String, Double> counts, String key, boolean correct) {
    if (correct) {
      counts.merge(key, 1.0, Double::sum);
    }
  }

  /** The JSON form. */
  public byte[] toJson() throws IOException {
    ObjectNode root = RunFiles.JSON.createObjectNode();
    byN.forEach((n, accuracies) -> root.set("n" + n, RunFiles.JSON.valueToTree(accuracies)));
    root.set("prm_step_accuracy", RunFiles.JSON.valueToTree(prmStepAccuracy));
    return RunFiles.JSON.writeValueAsBytes(root);
  }

  /** Writes {@code selection.json} (or any file) on any Flink filesystem. */
  public void write(Path file) throws IOException {
    RunFiles.replace(file, toJson());
  }

  /** Prints the table: a row per method, a column per N; then PRM step accuracy. */
  public void print(PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "selection on %d held-out problems (PRM: %s)%n  %-20s",
        problems,
        selectionPrm,
        "method");
    byN.keySet().forEach(n -> out.printf(Locale.ROOT, " %8s", "N=" + n));
    out.println();
    Map<String, Double> first = byN.values().iterator().next();
    for (String key : first.keySet()) {
      out.printf(Locale.ROOT, "  %-20s", key);
      byN.values().forEach(row -> out.printf(Locale.ROOT, " %7.1f%%", 100 * row.get(key)));
      out.println();
    }
    out.print("  PRM step accuracy (ground truth):");
    prmStepAccuracy.forEach(
        (objective, accuracy) ->
            out.printf(
                Locale.ROOT,
                " %s %s",
                objective,
                accuracy == null
                    ? "(no PRM)"
                    : String.format(Locale.ROOT, "%.1f%%", 100 * accuracy)));
    out.println();
    out.flush();
  }
}
