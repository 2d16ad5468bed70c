package dev.rlflow.jobs.pipeline;

import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.sft.SftJob;
import java.util.LinkedHashMap;
import java.util.Map;

/** Supervised warm start on the demonstrations; its policy becomes the latest one. */
final class SftStage implements PipelineStage {
  @Override
  public StageName name(PipelineState state) {
    return StageName.SFT;
  }

  @Override
  public Outcome run(PipelineState state, StageContext context) throws Exception {
    SftJob.Result sft =
        SftJob.run(
            context.config(),
            context.run(),
            context.runner(),
            context.metrics(),
            context.secondsSinceStart(),
            context.progress());
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("final_loss", sft.finalLoss());
    figures.put("updates", (double) sft.updates());
    figures.put("dead_letters", (double) sft.deadLetters());
    context
        .out()
        .printf(
            "sft: %d updates, final loss %.4f, checkpoint %s%n",
            sft.updates(), sft.finalLoss(), sft.checkpoint());
    return new Outcome(state.trained(StageName.SFT, sft.checkpoint()), figures);
  }
}
