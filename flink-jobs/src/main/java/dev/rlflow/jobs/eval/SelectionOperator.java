package dev.rlflow.jobs.eval;

import dev.rlflow.core.answer.AnswerEquivalence;
import dev.rlflow.core.answer.AnswerVerifier;
import dev.rlflow.core.answer.StepSplitter;
import dev.rlflow.core.answer.Verdict;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.StepCheck;
import dev.rlflow.core.task.arith.StepChecker;
import dev.rlflow.jobs.policy.PolicyRuntime;
import dev.rlflow.jobs.policy.PromptFormat;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.runner.ModelDirectories;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.reward.prm.ProcessRewardModel;
import dev.rlflow.reward.prm.StepSequence;
import dev.rlflow.rollout.GenerationEngine;
import dev.rlflow.rollout.GenerationRequest;
import dev.rlflow.rollout.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Test-time selection data for held-out problems, a batch at a time: a greedy solution and {@code
 * prm.selection_samples} sampled ones per problem, each judged by the answer verifier and, for
 * {@code arith}, step by step by the ground-truth checker, and every step scored by each PRM given
 * (one forward pass per batch of solutions per PRM).
 */
final class SelectionOperator extends AbstractStreamOperator<SelectionResult>
    implements OneInputStreamOperator<ProblemRecord, SelectionResult>, BoundedOneInput {
  private final RunContext run;
  private final String checkpoint;
  private final Map<String, String> prms;
  private transient RunConfig config;
  private transient PolicyRuntime loaded;
  private transient Tokenizer tokenizer;
  private transient GenerationEngine engine;
  private transient Map<String, ProcessRewardModel> models;
  private transient List<ProblemRecord> pending;

  /**
   * @param checkpoint the policy
   * @param prms PRM checkpoint directories by objective name
   */
  SelectionOperator(RunContext run, String checkpoint, Map<String, String> prms) {
    this.run = run;
    this.checkpoint = checkpoint;
    this.prms = new LinkedHashMap<>(prms);
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
    tokenizer = loaded.tokenizer();
    engine =
        loaded.engine(
            config.run().seed() + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    models = new LinkedHashMap<>();
    for (Map.Entry<String, String> prm : prms.entrySet()) {
      models.put(
          prm.getKey(),
          ProcessRewardModel.load(
              ModelDirectories.local(prm.getValue()),
              ComputeTarget.of(config.policy()),
              config.eval().batchSize()));
    }
    pending = new ArrayList<>();
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
    pending.add(element.getValue());
    // Each problem brings 1 + N solutions: keep a generation call near eval.batch_size of them.
    int perCall = Math.max(1, config.eval().batchSize() / (1 + config.prm().selectionSamples()));
    if (pending.size() >= perCall) {
      flush();
    }
  }

  @Override
  public void endInput() {
    try {
      select();
    } catch (RuntimeException e) {
      throw NonRetriable.classify(e);
    }
  }

  private void select() {
    flush();
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    int n = config.prm().selectionSamples();
    List<GenerationRequest> requests =
        PromptFormat.greedyAndSampled(
            tokenizer, pending, n, config.eval().temperature(), config.rollout().maxNewTokens());
    List<Sample> generated = engine.generate(requests);
    boolean arith = config.task().name() == TaskConfig.TaskName.ARITH;
    AnswerVerifier verifier = new AnswerVerifier();
    StepChecker checker = new StepChecker();
    List<String> texts = new ArrayList<>();
    List<StepSequence> sequences = new ArrayList<>();
    List<boolean[]> truths = new ArrayList<>();
    int next = 0;
    for (ProblemRecord p : pending) {
      next++; // the greedy solution, judged below
      for (int i = 0; i < n; i++) {
        String text = tokenizer.decode(generated.get(next++).tokens());
        List<String> steps = StepSplitter.NEWLINE.steps(text);
        texts.add(text);
        sequences.add(StepSequence.encode(tokenizer, p.question(), steps));
        boolean[] truth = new boolean[arith ? steps.size() : 0];
        if (arith) {
          StepCheck check = checker.check(ArithProblem.parse(p.id(), p.question()), text);
          for (int t = 0; t < truth.length; t++) {
            truth[t] = check.prefixCorrect(t + 1);
          }
        }
        truths.add(truth);
      }
    }
    Map<String, double[][]> scores = new LinkedHashMap<>();
    models.forEach((objective, prm) -> scores.put(objective, prm.score(sequences)));
    next = 0;
    int sample = 0;
    for (ProblemRecord p : pending) {
      String greedyText = tokenizer.decode(generated.get(next).tokens());
      next += 1 + n;
      List<SelectionSample> samples = new ArrayList<>(n);
      for (int i = 0; i < n; i++, sample++) {
        Verdict verdict = verifier.verify(texts.get(sample), p.answer());
        Map<String, double[]> byObjective = new LinkedHashMap<>();
        for (Map.Entry<String, double[][]> e : scores.entrySet()) {
          byObjective.put(e.getKey(), e.getValue()[sample]);
        }
        samples.add(
            new SelectionSample(
                verdict.extracted().map(AnswerEquivalence::key).orElse(null),
                verdict.correct(),
                truths.get(sample),
                byObjective));
      }
      output.collect(
          new StreamRecord<>(
              new SelectionResult(
                  p.id(), verifier.verify(greedyText, p.answer()).correct(), samples)));
    }
    pending.clear();
  }

  @Override
  public void close() throws Exception {
    if (models != null) {
      for (ProcessRewardModel prm : models.values()) {
        try {
          prm.close();
        } catch (RuntimeException e) {
          LOG.warn("Closing a PRM failed", e);
        }
      }
    }
    if (loaded != null) {
      loaded.close(); // never throws: a failing task must not take the TaskManager down
    }
    super.close();
  }
}
