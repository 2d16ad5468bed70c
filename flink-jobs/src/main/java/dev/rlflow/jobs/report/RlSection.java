package dev.rlflow.jobs.report;

import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The reinforcement-learning section, for a run with an {@code rl} stage: held-out accuracy and
 * step accuracy of the policy before RL ({@code eval}), after it ({@code eval_rl}) and of the
 * control ({@code eval_control}), the final weights' SHA-256, then the reward, KL and log-prob gap
 * curves, for vineppo the Monte Carlo rollouts each iteration cost, and on arith the share of the
 * verifier's accepted responses the step checker finds a wrong step in. The gap (|log π_sampler −
 * log π_trainer| before each iteration's first update) is 0 at FP32 when the trainer's weights
 * reach the sampler exactly; a lag or a broken hand-over raises it.
 */
final class RlSection {
  /** The RL curves the section draws. */
  static final List<String> METRICS =
      List.of("reward", "kl", "logprob_gap_max", "mc_rollouts", "accepted_wrong_steps");

  private RlSection() {}

  /**
   * The rows of the table: a policy, the evaluation that measured it and the training stage that
   * wrote it.
   */
  private enum PolicyRow {
    BEFORE_RL("before RL (SFT)", StageName.EVAL, StageName.SFT),
    AFTER_RL("after RL", StageName.EVAL_RL, StageName.RL),
    CONTROL("control: continued SFT for RL's time", StageName.EVAL_CONTROL, StageName.CONTROL);

    final String label;
    final StageName eval;
    final StageName trained;

    PolicyRow(String label, StageName eval, StageName trained) {
      this.label = label;
      this.eval = eval;
      this.trained = trained;
    }
  }

  /** The whole section, or nothing for a run without an {@code rl} stage (yet). */
  static String html(RunInputs inputs, ChartGrid charts) {
    if (inputs.summary().value().isEmpty()
        || inputs.summary().value().get().stages().stream()
            .noneMatch(s -> s.name() == StageName.RL)) {
      return "";
    }
    RunSummary summary = inputs.summary().value().get();
    Map<StageName, RunSummary.Stage> byName = new EnumMap<>(StageName.class);
    summary.stages().forEach(s -> byName.put(s.name(), s));
    HtmlTable table =
        new HtmlTable(List.of("policy", "held-out accuracy", "step accuracy", "training time"));
    for (PolicyRow row : PolicyRow.values()) {
      RunSummary.Stage eval = byName.get(row.eval);
      RunSummary.Stage trained = byName.get(row.trained);
      if (eval != null) {
        table.row(
            List.of(
                row.label,
                FigureFormat.percent(eval.figures().getOrDefault("accuracy", Double.NaN)),
                FigureFormat.percent(eval.figures().getOrDefault("step_accuracy", Double.NaN)),
                trained == null ? "" : FigureFormat.duration(trained.wallSeconds())));
      }
    }
    StringBuilder html =
        new StringBuilder("<section id=\"rl\">\n<h2>Reinforcement learning</h2>\n")
            .append(table.html());
    summary
        .weightsSha256()
        .ifPresent(
            sha ->
                html.append("<p>Final policy weights SHA-256 <code>")
                    .append(HtmlText.escape(sha))
                    .append("</code></p>\n"));
    inputs
        .metrics()
        .value()
        .ifPresent(
            metrics ->
                html.append(
                    charts.metrics(
                        MetricsView.withValues(metrics, METRICS),
                        "charts wide",
                        Map.of(
                            "reward",
                            "reward per response",
                            "kl",
                            "KL to the reference per response",
                            "logprob_gap_max",
                            "log-prob gap, sampler vs trainer before the first update (max)",
                            "mc_rollouts",
                            "Monte Carlo rollouts per iteration (vineppo's step values)",
                            "accepted_wrong_steps",
                            "accepted responses with a wrong step (arith step checker)"))));
    return html.append("</section>\n").toString();
  }
}
