package dev.rlflow.jobs.pipeline;

import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.sft.SftJob;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RL's control: continued SFT of the policy RL started from, on the same demonstrations, for the
 * wall time the RL stage took; its policy becomes the latest one.
 */
final class ControlStage implements PipelineStage {
  @Override
  public StageName name(PipelineState state) {
    return StageName.CONTROL;
  }

  @Override
  public Outcome run(PipelineState state, StageContext context) throws Exception {
    PipelineState.RlStart rl =
        state
            .rl()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "The control stage continues the policy RL started from for RL's wall"
                            + " time: run it after an rlhf stage"));
    context
        .out()
        .printf(
            "control: continued SFT of %s on the same demonstrations for %.1f s (RL's time)%n",
            rl.initial(), rl.wallSeconds());
    context.out().flush();
    SftJob.Result control =
        SftJob.control(
            context.config(),
            context.run(),
            context.runner(),
            context.metrics(),
            context.secondsSinceStart(),
            context.progress(),
            rl.initial(),
            rl.wallSeconds());
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("updates", (double) control.updates());
    figures.put("final_loss", control.finalLoss());
    return new Outcome(state.trained(StageName.CONTROL, control.checkpoint()), figures);
  }
}
