package dev.rlflow.jobs.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.answer.AnswerVerifier;
import dev.rlflow.core.answer.Verdict;
import dev.rlflow.core.task.Problem;
import dev.rlflow.core.task.arith.ArithGenerator;
import dev.rlflow.core.task.arith.ArithOp;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.ArithSpec;
import dev.rlflow.core.task.arith.StepCheck;
import dev.rlflow.core.task.arith.StepChecker;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.accumulators.IntCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Generates the problems of one split and checks each reference solution twice, with the
 * ground-truth step checker and with the answer verifier; a problem that fails either goes to the
 * dead-letter output with the reason instead of the dataset.
 *
 * <p>Counts per split and chain length are Flink accumulators ({@code train.steps.3}), read by the
 * client when the job ends.
 */
final class GenerateVerifiedProblems extends ProcessFunction<SplitRequest, DatasetRecord> {
  static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private static final ObjectMapper JSON = new ObjectMapper();

  // The spec's knobs, not the spec: functions are Java-serialized into the job graph.
  private final int minSteps;
  private final int maxSteps;
  private final int startMax;
  private final int operandMax;
  private final int maxValue;

  private transient Map<String, IntCounter> counters;

  GenerateVerifiedProblems(ArithSpec spec) {
    this.minSteps = spec.minSteps();
    this.maxSteps = spec.maxSteps();
    this.startMax = spec.startMax();
    this.operandMax = spec.operandMax();
    this.maxValue = spec.maxValue();
  }

  @Override
  public void open(OpenContext context) {
    counters = new HashMap<>();
  }

  @Override
  public void processElement(SplitRequest request, Context ctx, Collector<DatasetRecord> out)
      throws Exception {
    ArithSpec spec =
        new ArithSpec(
            minSteps, maxSteps, startMax, operandMax, maxValue, EnumSet.allOf(ArithOp.class));
    ArithGenerator generator = new ArithGenerator(spec, request.split(), request.seed());
    StepChecker checker = new StepChecker();
    AnswerVerifier verifier = new AnswerVerifier();
    String split = request.split().name().toLowerCase(Locale.ROOT);
    for (int i = 0; i < request.count(); i++) {
      ArithProblem arith = generator.next();
      Problem problem = arith.toProblem();
      StepCheck check = checker.check(arith, problem.referenceSolution());
      Verdict verdict = verifier.verify(problem.referenceSolution(), problem.referenceAnswer());
      int steps = arith.operations().size();
      if (check.fullyCorrect() && verdict.correct()) {
        counter(split + ".steps." + steps).add(1);
        out.collect(new DatasetRecord(split, steps, toJson(problem, split, steps)));
      } else {
        counter(split + ".dead_letters").add(1);
        String reason =
            check.fullyCorrect()
                ? "verifier: " + verdict.reason()
                : "step checker: first error at step " + check.firstError().orElse(-1);
        ObjectNode dead = JSON.createObjectNode();
        dead.put("id", problem.id())
            .put("reason", reason)
            .put("solution", problem.referenceSolution());
        ctx.output(DEAD_LETTERS, JSON.writeValueAsString(dead));
      }
    }
  }

  private IntCounter counter(String name) {
    return counters.computeIfAbsent(
        name,
        key -> {
          IntCounter counter = new IntCounter();
          getRuntimeContext().addAccumulator(key, counter);
          return counter;
        });
  }

  private static String toJson(Problem problem, String split, int steps) throws Exception {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", problem.id())
        .put("split", split)
        .put("steps", steps)
        .put("question", problem.question())
        .put("solution", problem.referenceSolution())
        .put("answer", problem.referenceAnswer());
    return JSON.writeValueAsString(node);
  }
}
