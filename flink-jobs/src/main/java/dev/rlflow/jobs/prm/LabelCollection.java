package dev.rlflow.jobs.prm;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.jobs.run.RunFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.core.fs.Path;

/**
 * What process-label collection spent and produced, per method: {@code prm-collect.json}, e.g.
 * {@code {"omegaprm": {...}, "per_step_mc": {...}}}, each with the keys of {@link Figures}.
 *
 * @param methods figures by method name ({@code omegaprm}, {@code per_step_mc}), in run order
 */
public record LabelCollection(Map<String, Figures> methods) {
  /** The file's name inside a run directory. */
  public static final String FILE_NAME = "prm-collect.json";

  public LabelCollection {
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("A label collection needs at least one method");
    }
    methods = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(methods));
  }

  /**
   * One method's figures.
   *
   * @param questions questions searched
   * @param filteredOut questions the pre-filter dropped (all rollouts right, or all wrong)
   * @param rollouts rollouts generated, pre-filter included
   * @param labels labels produced
   * @param positives labels with {@code MC > 0}
   * @param labelsPer1kRollouts labels per 1000 rollouts
   * @param labelAccuracy fraction of labels whose {@code MC > 0} agrees with the ground-truth step
   *     checker; NaN without ground truth
   * @param wallSeconds the collection job's wall time
   */
  public record Figures(
      long questions,
      @JsonProperty("filtered_out") long filteredOut,
      long rollouts,
      long labels,
      long positives,
      @JsonProperty("labels_per_1k_rollouts") double labelsPer1kRollouts,
      @JsonProperty("label_accuracy") double labelAccuracy,
      @JsonProperty("wall_seconds") double wallSeconds) {}

  /** Writes {@code prm-collect.json} (or any file) on any Flink filesystem. */
  public void write(Path file) throws IOException {
    RunFiles.replace(file, toJson());
  }

  /** The JSON form, one object per method. */
  public byte[] toJson() throws IOException {
    ObjectNode root = RunFiles.JSON.createObjectNode();
    methods.forEach((name, figures) -> root.set(name, RunFiles.JSON.valueToTree(figures)));
    return RunFiles.JSON.writeValueAsBytes(root);
  }

  /** Prints one row per method and, with the baseline, OmegaPRM's labels-per-rollout ratio. */
  public void print(PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "  %-12s %9s %9s %9s %14s %10s %9s%n",
        "method",
        "questions",
        "rollouts",
        "labels",
        "labels/1k roll",
        "label acc",
        "positive");
    methods.forEach(
        (name, f) ->
            out.printf(
                Locale.ROOT,
                "  %-12s %9d %9d %9d %14.1f %9.1f%% %8.1f%%%n",
                name,
                f.questions() - f.filteredOut(),
                f.rollouts(),
                f.labels(),
                f.labelsPer1kRollouts(),
                100 * f.labelAccuracy(),
                f.labels() == 0 ? 0.0 : 100.0 * f.positives() / f.labels()));
    Figures omega = methods.get("omegaprm");
    Figures baseline = methods.get("per_step_mc");
    if (omega != null && baseline != null && baseline.labelsPer1kRollouts() > 0) {
      out.printf(
          Locale.ROOT,
          "  OmegaPRM: %.1fx the labels per rollout of per-step Monte Carlo; label accuracy %+.1f"
              + " points%n",
          omega.labelsPer1kRollouts() / baseline.labelsPer1kRollouts(),
          100 * (omega.labelAccuracy() - baseline.labelAccuracy()));
    }
    out.flush();
  }
}
