package dev.rlflow.jobs.eval;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.runner.RunDirectory;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The {@code eval} job: held-out problems → evaluation subtasks (greedy and sampled generation,
 * verifier, step checker) → per-problem results → the client aggregates them into {@code
 * eval.json}: accuracy, step accuracy, pass@k, by chain length.
 */
public final class EvalJob {
  private EvalJob() {}

  /** Evaluates the policy checkpoint {@code checkpoint} and writes {@code <file>} in the run. */
  public static EvalResult run(
      RunConfig config, RunDirectory run, JobRunner runner, String checkpoint, String file)
      throws Exception {
    TaskData heldOut = TaskData.load(config, TaskData.Split.TEST);
    heldOut.writeDeadLetters(run.resolve("dead-letters/eval.jsonl"));
    RunContext context = RunContext.of(config, run);
    List<EvalResult.ProblemOutcome> outcomes = new ArrayList<>();
    runner.collect(
        "rlflow eval " + run.runId(),
        env -> {
          env.setRuntimeMode(RuntimeExecutionMode.BATCH);
          return env.fromData(heldOut.problems(), TypeInformation.of(ProblemRecord.class))
              .name("held-out problems (" + heldOut.source() + ")")
              .rebalance()
              .transform(
                  "evaluate",
                  TypeInformation.of(ProblemResult.class),
                  new EvalOperator(context, checkpoint))
              .setParallelism(config.placement().rolloutParallelism());
        },
        result ->
            outcomes.add(
                new EvalResult.ProblemOutcome(
                    result.steps(),
                    result.greedyStepsCorrect(),
                    result.greedyCorrect(),
                    result.samples(),
                    result.samplesCorrect(),
                    result.referenceLogProb(),
                    result.referenceTokens())));
    List<Integer> ks = config.eval().samples() > 0 ? List.of(1, config.eval().passK()) : List.of();
    EvalResult result = EvalResult.of(outcomes, ks.stream().distinct().toList());
    result.write(run.resolve(file));
    return result;
  }
}
