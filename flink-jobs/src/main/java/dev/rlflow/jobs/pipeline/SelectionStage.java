package dev.rlflow.jobs.pipeline;

import dev.rlflow.jobs.eval.SelectionJob;
import dev.rlflow.jobs.eval.SelectionTable;
import dev.rlflow.jobs.prm.PrmTrainJob;
import dev.rlflow.jobs.run.StageName;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-time selection among sampled solutions of the latest policy with the state's PRMs, and PRM
 * step accuracy; figures {@code n<N>_majority} and {@code n<N>_weighted_sc} per sample count.
 */
final class SelectionStage implements PipelineStage {
  @Override
  public StageName name(PipelineState state) {
    return StageName.SELECTION;
  }

  @Override
  public Outcome run(PipelineState state, StageContext context) throws Exception {
    String evaluated = state.policy("evaluate");
    context
        .out()
        .printf(
            "selection: %s on %d held-out problems, %d samples each, PRMs %s%n",
            evaluated,
            context.config().prm().selectionProblems(),
            context.config().prm().selectionSamples(),
            state.prms());
    context.out().flush();
    SelectionTable table =
        SelectionJob.run(
            context.config(),
            context.run(),
            context.runner(),
            evaluated,
            state.prms(),
            PrmTrainJob.objective(context.config()),
            context.progress());
    table.print(context.out());
    Map<String, Double> figures = new LinkedHashMap<>();
    table
        .byN()
        .forEach(
            (n, row) -> {
              figures.put("n" + n + "_majority", row.get("majority"));
              figures.put("n" + n + "_weighted_sc", row.get("weighted_sc"));
            });
    return new Outcome(state.selected(table), figures);
  }
}
