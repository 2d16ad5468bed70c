package dev.rlflow.jobs.prm;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.jobs.traces.TraceSinks;
import java.util.Locale;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The {@code prm-collect} job: fresh training questions → keyBy(question) → label searches
 * (OmegaPRM or the per-step Monte Carlo baseline) with the policy as completer → process labels to
 * the trace sinks; per-question outcomes go back to the client for progress and the summary.
 *
 * <pre>
 * questions ─► keyBy(id) ─► LabelSearchOperator ─► ProcessLabel ─► Avro files / Kafka (traces)
 *                              │ (policy: batched generation)
 *                              └─ SearchOutcome ─► client (progress, prm-collect.json)
 * </pre>
 */
public final class PrmCollectJob {
  private PrmCollectJob() {}

  /**
   * What one collection spent and produced.
   *
   * @param method how labels were collected
   * @param questions questions searched
   * @param filteredOut questions the pre-filter dropped
   * @param rollouts rollouts generated
   * @param labels labels produced
   * @param positives labels with {@code MC > 0}
   * @param labelAccuracy fraction of labels whose hard label agrees with the ground-truth step
   *     checker ({@code arith}); NaN where there is no ground truth
   * @param wallSeconds the job's wall time
   */
  public record Result(
      LabelMethod method,
      long questions,
      long filteredOut,
      long rollouts,
      long labels,
      long positives,
      double labelAccuracy,
      double wallSeconds) {

    /** Labels per 1000 rollouts, the efficiency the comparison is about. */
    public double labelsPer1kRollouts() {
      return rollouts == 0 ? 0 : 1000.0 * labels / rollouts;
    }
  }

  /** Collects labels with {@code method} from the policy at {@code checkpoint}. */
  public static Result run(
      RunConfig config,
      RunDirectory run,
      JobRunner runner,
      String checkpoint,
      LabelMethod method,
      Progress progress)
      throws Exception {
    TaskData questions = TaskData.prompts(config, config.omegaPrm().questions());
    questions.writeDeadLetters(run.resolve("dead-letters/prm-collect.jsonl"));
    RunContext context = RunContext.of(config, run);
    long start = System.nanoTime();
    long total = questions.problems().size();
    long[] sums = new long[7]; // questions, filtered, rollouts, labels, positives, judged, right
    runner.collect(
        "rlflow prm-collect (" + method.key() + ") " + run.runId(),
        env -> {
          env.setRuntimeMode(RuntimeExecutionMode.BATCH);
          SingleOutputStreamOperator<ProcessLabel> labels =
              env.fromData(questions.problems(), TypeInformation.of(ProblemRecord.class))
                  .name("questions (" + questions.source() + ")")
                  .keyBy(ProblemRecord::id)
                  .transform(
                      method.key() + " search",
                      TypeInformation.of(ProcessLabel.class),
                      new LabelSearchOperator(context, checkpoint, method, 0))
                  .setParallelism(config.placement().rolloutParallelism());
          if (method == LabelMethod.OMEGAPRM) {
            TraceSinks.processLabels(labels, config.traces(), run);
          } else {
            // The baseline is a measurement: its labels are counted and judged, not kept.
            labels.sinkTo(new DiscardingSink<>()).name("baseline labels (counted, not kept)");
          }
          return labels.getSideOutput(LabelSearchOperator.OUTCOMES);
        },
        outcome -> {
          sums[0]++;
          sums[1] += outcome.filteredOut() ? 1 : 0;
          sums[2] += outcome.rollouts();
          sums[3] += outcome.labels();
          sums[4] += outcome.positives();
          sums[5] += outcome.judged();
          sums[6] += outcome.right();
          progress.step(
              "prm-collect " + method.key(),
              sums[0],
              total,
              String.format(
                  Locale.ROOT,
                  "%,d labels  %,d rollouts  %.0f labels/1k rollouts",
                  sums[3],
                  sums[2],
                  sums[2] == 0 ? 0.0 : 1000.0 * sums[3] / sums[2]));
        });
    return new Result(
        method,
        sums[0],
        sums[1],
        sums[2],
        sums[3],
        sums[4],
        sums[5] == 0 ? Double.NaN : (double) sums[6] / sums[5],
        (System.nanoTime() - start) / 1e9);
  }
}
