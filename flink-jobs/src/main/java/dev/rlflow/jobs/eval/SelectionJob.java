package dev.rlflow.jobs.eval;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.ModelDirectories;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.reward.prm.ProcessRewardModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The selection part of {@code eval --selection}: the first {@code prm.selection_problems} held-out
 * problems → selection subtasks (greedy and N sampled solutions, verifier, step checker, PRM step
 * scores) → the client aggregates them into {@code selection.json}.
 */
public final class SelectionJob {
  private SelectionJob() {}

  /**
   * Runs selection for the policy at {@code checkpoint} with the PRMs {@code prms} (checkpoint
   * directories by objective name); {@code selectionPrm} names the one that selects.
   */
  public static SelectionTable run(
      RunConfig config,
      RunDirectory run,
      JobRunner runner,
      String checkpoint,
      Map<String, String> prms,
      String selectionPrm,
      Progress progress)
      throws Exception {
    if (!prms.containsKey(selectionPrm)) {
      throw new IllegalArgumentException(
          "No "
              + selectionPrm
              + " PRM to select with (prm.objective): train one with prm-train, or pass --prm "
              + selectionPrm
              + "=DIR; found "
              + prms.keySet());
    }
    TaskData heldOut = TaskData.load(config, TaskData.Split.TEST);
    List<ProblemRecord> problems =
        heldOut
            .problems()
            .subList(0, Math.min(config.prm().selectionProblems(), heldOut.problems().size()));
    RunContext context = RunContext.of(config, run);
    List<SelectionResult> results = new ArrayList<>();
    long[] correct = {0};
    runner.collect(
        "rlflow eval --selection " + run.runId(),
        env -> {
          env.setRuntimeMode(RuntimeExecutionMode.BATCH);
          return env.fromData(problems, TypeInformation.of(ProblemRecord.class))
              .name("held-out problems (" + heldOut.source() + ")")
              .rebalance()
              .transform(
                  "sample, judge and score",
                  TypeInformation.of(SelectionResult.class),
                  new SelectionOperator(context, checkpoint, prms))
              .setParallelism(config.placement().rolloutParallelism());
        },
        result -> {
          results.add(result);
          correct[0] += result.greedyCorrect() ? 1 : 0;
          progress.step(
              "selection",
              results.size(),
              problems.size(),
              String.format(Locale.ROOT, "greedy %.1f %%", 100.0 * correct[0] / results.size()));
        });
    int n = config.prm().selectionSamples();
    List<Integer> ns = n == 8 ? List.of(8) : List.of(8, n);
    Map<String, Double> thresholds = new LinkedHashMap<>();
    for (Map.Entry<String, String> prm : prms.entrySet()) {
      thresholds.put(
          prm.getKey(),
          ProcessRewardModel.metadata(ModelDirectories.local(prm.getValue())).decisionThreshold());
    }
    SelectionTable table =
        SelectionTable.of(results, ns, selectionPrm, config.reward().prmAggregation(), thresholds);
    table.write(run.resolve(SelectionTable.FILE_NAME));
    return table;
  }
}
