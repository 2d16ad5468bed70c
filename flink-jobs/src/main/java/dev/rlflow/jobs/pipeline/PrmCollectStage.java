package dev.rlflow.jobs.pipeline;

import dev.rlflow.jobs.prm.LabelCollection;
import dev.rlflow.jobs.prm.LabelMethod;
import dev.rlflow.jobs.prm.PrmCollectJob;
import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.traces.TraceSinks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.fs.Path;

/**
 * Process labels from the latest policy by OmegaPRM (and, when the context asks, the per-step MC
 * baseline on the same questions): writes {@code prm-collect.json} and makes this run's labels the
 * ones {@code prm_train} reads.
 */
final class PrmCollectStage implements PipelineStage {
  @Override
  public StageName name(PipelineState state) {
    return StageName.PRM_COLLECT;
  }

  @Override
  public Outcome run(PipelineState state, StageContext context) throws Exception {
    String policyDir = state.policy("collect labels with");
    List<PrmCollectJob.Result> results = new ArrayList<>();
    for (LabelMethod method :
        context.compareWithPerStepMc()
            ? List.of(LabelMethod.OMEGAPRM, LabelMethod.PER_STEP_MC)
            : List.of(LabelMethod.OMEGAPRM)) {
      context
          .out()
          .printf(
              "prm-collect: %s on %d questions with %s%n",
              method.key(), context.config().omegaPrm().questions(), policyDir);
      context.out().flush();
      results.add(
          PrmCollectJob.run(
              context.config(),
              context.run(),
              context.runner(),
              policyDir,
              method,
              context.progress()));
    }
    Map<String, LabelCollection.Figures> byMethod = new LinkedHashMap<>();
    for (PrmCollectJob.Result r : results) {
      byMethod.put(
          r.method().key(),
          new LabelCollection.Figures(
              r.questions(),
              r.filteredOut(),
              r.rollouts(),
              r.labels(),
              r.positives(),
              r.labelsPer1kRollouts(),
              r.labelAccuracy(),
              r.wallSeconds()));
    }
    LabelCollection collection = new LabelCollection(byMethod);
    collection.write(context.run().resolve(LabelCollection.FILE_NAME));
    collection.print(context.out());
    PrmCollectJob.Result omega = results.get(0);
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("rollouts", (double) omega.rollouts());
    figures.put("labels", (double) omega.labels());
    figures.put("labels_per_1k_rollouts", omega.labelsPer1kRollouts());
    figures.put("label_accuracy", omega.labelAccuracy());
    Path labels =
        new Path(
            TraceSinks.directory(context.config().traces(), context.run()),
            TraceSinks.PROCESS_LABELS);
    return new Outcome(state.collected(collection, labels), figures);
  }
}
