package dev.rlflow.jobs.pipeline;

import dev.rlflow.core.config.PrmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.prm.PrmEval;
import dev.rlflow.jobs.prm.PrmTrainJob;
import dev.rlflow.jobs.run.StageName;
import dev.rlflow.reward.prm.LabelFit;
import dev.rlflow.reward.prm.ScoreStack;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.core.fs.Path;

/**
 * A process reward model of {@code prm.objective} trained on the state's labels (from the backbone
 * of the latest policy when {@code prm.init} says so); it becomes the state's PRM for that
 * objective.
 */
final class PrmTrainStage implements PipelineStage {
  @Override
  public StageName name(PipelineState state) {
    return StageName.PRM_TRAIN;
  }

  @Override
  public Outcome run(PipelineState state, StageContext context) throws Exception {
    RunConfig config = context.config();
    Path labels =
        state
            .labels()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "No process labels to train on: run prm-collect first or pass --labels"
                            + " URI"));
    boolean fromPolicy = config.prm().init() == PrmConfig.Init.POLICY;
    boolean confidence = config.prm().confidence() == PrmConfig.Confidence.POLICY;
    String policyDir =
        fromPolicy || confidence
            ? state.policy(fromPolicy ? "start the PRM from" : "read confidence from")
            : null;
    PrintWriter out = context.out();
    out.printf(
        "prm-train: %s objective on %s, %s%s%n",
        config.prm().objective().name().toLowerCase(Locale.ROOT),
        labels,
        fromPolicy ? "backbone from " + policyDir : "backbone from scratch",
        confidence ? ", stacked with the confidence of " + policyDir : "");
    out.flush();
    PrmEval eval =
        PrmTrainJob.run(
            config,
            context.run(),
            context.runner(),
            labels,
            policyDir,
            context.metrics(),
            context.secondsSinceStart(),
            context.progress());
    print(eval, out);
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("final_loss", eval.finalLoss());
    figures.put("train_labels", (double) eval.trainLabels());
    figures.put("held_out_label_accuracy", eval.heldOut().labelAccuracy());
    figures.put("held_out_step_accuracy", eval.heldOut().stepAccuracy());
    return new Outcome(state.withPrm(PrmTrainJob.objective(config), eval.checkpoint()), figures);
  }

  private static void print(PrmEval eval, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "prm-train: %d distinct labels (%d train), %d updates, final loss %.4f; checkpoint %s%n",
        eval.distinctLabels(),
        eval.trainLabels(),
        eval.updates(),
        eval.finalLoss(),
        eval.checkpoint());
    ScoreStack stack = eval.stack();
    if (stack.usesConfidence()) {
      out.printf(
          Locale.ROOT,
          "  P(correct) = sigmoid(%.3f * head margin + %.3f * policy confidence + %.3f)%n",
          stack.head(),
          stack.confidence(),
          stack.bias());
    }
    for (var fit :
        List.of(
            Map.entry("held-out", eval.heldOut()),
            Map.entry("train", eval.train()),
            Map.entry("held-out, head alone", eval.heldOutHeadOnly()))) {
      LabelFit f = fit.getValue();
      out.printf(
          Locale.ROOT,
          "  %-20s %5d labels  label accuracy %5.1f %%  BCE %.3f  step accuracy (ground truth) %5.1f"
              + " %%%n",
          fit.getKey(),
          f.labels(),
          100 * f.labelAccuracy(),
          f.bce(),
          100 * f.stepAccuracy());
    }
    out.flush();
  }
}
