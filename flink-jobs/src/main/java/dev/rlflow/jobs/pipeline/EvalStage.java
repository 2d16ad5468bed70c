package dev.rlflow.jobs.pipeline;

import dev.rlflow.jobs.eval.EvalJob;
import dev.rlflow.jobs.eval.EvalResult;
import dev.rlflow.jobs.run.StageName;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy of the latest policy on the held-out problems. It is named for the training stage that
 * wrote the policy ({@code eval} after SFT or for a given policy, {@code eval_rl}, {@code
 * eval_control}), writes {@code eval.json}, {@code eval-rl.json} or {@code eval-control.json}, and
 * gives that training stage its {@code accuracy} figure.
 */
final class EvalStage implements PipelineStage {
  @Override
  public StageName name(PipelineState state) {
    return switch (state.trainedBy().orElse(StageName.SFT)) {
      case RL -> StageName.EVAL_RL;
      case CONTROL -> StageName.EVAL_CONTROL;
      default -> StageName.EVAL;
    };
  }

  @Override
  public Outcome run(PipelineState state, StageContext context) throws Exception {
    String evaluated = state.policy("evaluate");
    PrintWriter out = context.out();
    out.printf(
        "eval: %s on %d held-out problems%n", evaluated, context.config().task().testExamples());
    out.flush();
    StageName name = name(state);
    String file =
        name == StageName.EVAL ? EvalResult.FILE_NAME : name.key().replace('_', '-') + ".json";
    EvalResult eval =
        EvalJob.run(context.config(), context.run(), context.runner(), evaluated, file);
    print(eval, out);
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("accuracy", eval.accuracy());
    figures.put("step_accuracy", eval.stepAccuracy());
    figures.put("reference_nll", eval.referenceNll());
    return new Outcome(state.evaluated(eval.accuracy()), figures);
  }

  private static void print(EvalResult eval, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "eval: accuracy %.1f %% (greedy), step accuracy %.1f %%, reference NLL %.3f nats/token,"
            + " %d problems%n",
        100 * eval.accuracy(),
        100 * eval.stepAccuracy(),
        eval.referenceNll(),
        eval.problems());
    for (EvalResult.ChainLength length : eval.bySteps()) {
      out.printf(
          Locale.ROOT,
          "  %d steps: %5.1f %% of %d (step accuracy %.1f %%)%n",
          length.steps(),
          100 * length.accuracy(),
          length.problems(),
          100 * length.stepAccuracy());
    }
    eval.passAtK()
        .forEach(p -> out.printf(Locale.ROOT, "  pass@%d: %.1f %%%n", p.k(), 100 * p.value()));
    out.flush();
  }
}
