package dev.rlflow.jobs.prm;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.StepChecker;
import dev.rlflow.jobs.policy.PolicyCompleter;
import dev.rlflow.jobs.policy.PolicyRuntime;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.reward.omega.LabelSearch;
import dev.rlflow.reward.omega.Question;
import dev.rlflow.reward.omega.SearchDriver;
import dev.rlflow.reward.omega.SolutionVerifier;
import dev.rlflow.reward.verifier.OutcomeVerifier;
import dev.rlflow.rollout.SamplingParams;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Runs the label searches of the questions its subtask receives, up to {@code
 * omega_prm.concurrent_searches} at once, and batches their rollout requests into one generation
 * call per round ({@link SearchDriver}). Labels go to the main output; the outcome of each question
 * (rollouts, labels, and for {@code arith} how many labels agree with the ground-truth step
 * checker) goes to {@link #OUTCOMES}.
 */
final class LabelSearchOperator extends AbstractStreamOperator<ProcessLabel>
    implements OneInputStreamOperator<ProblemRecord, ProcessLabel>, BoundedOneInput {
  static final OutputTag<SearchOutcome> OUTCOMES =
      new OutputTag<>(
          "search-outcomes",
          org.apache.flink.api.common.typeinfo.TypeInformation.of(SearchOutcome.class));

  private final RunContext run;
  private final String checkpoint;
  private final LabelMethod method;
  private final long policyVersion;
  private transient RunConfig config;
  private transient PolicyRuntime loaded;
  private transient PolicyCompleter completer;
  private transient SearchDriver driver;
  private transient Map<String, Running> running;
  private transient long labels;
  private transient long rollouts;

  /**
   * A search in flight with what its outcome needs; {@code arith} is the parsed problem the ground
   * truth judges labels against, null for tasks without one.
   */
  private static final class Running {
    final ProblemRecord problem;
    final LabelSearch search;
    final ArithProblem arith;
    long positives;
    long judged;
    long right;

    Running(ProblemRecord problem, LabelSearch search, ArithProblem arith) {
      this.problem = problem;
      this.search = search;
      this.arith = arith;
    }
  }

  LabelSearchOperator(RunContext run, String checkpoint, LabelMethod method, long policyVersion) {
    this.run = run;
    this.checkpoint = checkpoint;
    this.method = method;
    this.policyVersion = policyVersion;
  }

  @Override
  public void open() throws Exception {
    try {
      load();
    } catch (Exception e) {
      throw NonRetriable.classify(e);
    }
  }

  private void load() throws Exception {
    super.open();
    config = run.config();
    loaded = PolicyRuntime.load(config, checkpoint);
    Tokenizer tokenizer = loaded.tokenizer();
    // The rollout's sampling at the search's own temperature (omega_prm.temperature).
    SamplingParams params =
        SamplingParams.of(config.rollout(), Set.of(tokenizer.eosId()), List.of())
            .withTemperature(config.omegaPrm().temperature());
    completer =
        new PolicyCompleter(
            loaded.engine(config.run().seed()),
            tokenizer,
            params,
            loaded.policy().config().maxSeqLen());
    driver = new SearchDriver(completer, config.omegaPrm().concurrentSearches());
    running = new LinkedHashMap<>();
    getMetricGroup().gauge("labels", () -> labels);
    getMetricGroup().gauge("rollouts", () -> rollouts);
  }

  @Override
  public void processElement(StreamRecord<ProblemRecord> element) {
    try {
      accept(element);
    } catch (RuntimeException e) {
      throw NonRetriable.classify(e);
    }
  }

  private void accept(StreamRecord<ProblemRecord> element) {
    ProblemRecord problem = element.getValue();
    // The run's outcome verifier is the search's oracle (reward.verifier).
    OutcomeVerifier verifier =
        OutcomeVerifier.of(
            config.reward().verifier(), problem.id(), problem.question(), problem.answer());
    SolutionVerifier judge =
        (prefix, continuation) ->
            verifier.correct(PolicyCompleter.solution(prefix, continuation.text()));
    Question question = new Question(problem.id(), problem.question());
    LabelSearch search =
        method.search(question, config.omegaPrm(), judge, searchId(problem.id()), policyVersion);
    ArithProblem arith =
        config.task().name() == TaskConfig.TaskName.ARITH
            ? ArithProblem.parse(problem.id(), problem.question())
            : null;
    running.put(problem.id(), new Running(problem, search, arith));
    driver.add(search);
    while (driver.active() >= config.omegaPrm().concurrentSearches()) {
      round();
    }
  }

  @Override
  public void endInput() {
    try {
      finishSearches();
    } catch (RuntimeException e) {
      throw NonRetriable.classify(e);
    }
  }

  private void finishSearches() {
    while (driver.active() > 0) {
      round();
    }
  }

  private void round() {
    driver.round(this::emit);
    for (Iterator<Running> it = running.values().iterator(); it.hasNext(); ) {
      Running r = it.next();
      if (r.search.pending().isEmpty()) {
        it.remove();
        completer.forget(r.problem.id());
        var stats = r.search.stats();
        rollouts += stats.rollouts();
        output.collect(
            OUTCOMES,
            new StreamRecord<>(
                new SearchOutcome(
                    r.problem.id(),
                    stats.rollouts(),
                    stats.labels(),
                    r.positives,
                    r.judged,
                    r.right,
                    stats.binarySearches(),
                    stats.filteredOut())));
      }
    }
  }

  private void emit(ProcessLabel label) {
    Running r = running.get(label.questionId());
    labels++;
    if (label.correct()) {
      r.positives++;
    }
    if (r.arith != null) {
      r.judged++;
      if (label.correct() == trulyCorrect(r.arith, label)) {
        r.right++;
      }
    }
    output.collect(new StreamRecord<>(label));
  }

  /**
   * The ground truth of a label on {@code arith}: whether the prefix ending with its step is
   * correct by the step checker (the label is right when {@code MC > 0} agrees).
   */
  static boolean trulyCorrect(ArithProblem arith, ProcessLabel label) {
    List<String> steps = new ArrayList<>(label.prefixSteps());
    steps.add(label.step());
    return new StepChecker().check(arith, String.join("\n", steps)).prefixCorrect(steps.size());
  }

  /** Labels of one search share an id derived from the run seed and the question. */
  private long searchId(String questionId) {
    return config.run().seed() * 0x9E3779B97F4A7C15L
        ^ questionId.hashCode()
        ^ ((long) method.ordinal() << 62);
  }

  @Override
  public void close() throws Exception {
    if (loaded != null) {
      loaded.close(); // never throws: a failing task must not take the TaskManager down
    }
    super.close();
  }
}
