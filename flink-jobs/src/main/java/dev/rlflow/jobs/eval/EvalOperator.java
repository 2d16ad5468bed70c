package dev.rlflow.jobs.eval;

import dev.rlflow.core.answer.AnswerVerifier;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.StepCheck;
import dev.rlflow.core.task.arith.StepChecker;
import dev.rlflow.core.task.arith.StepVerdict;
import dev.rlflow.jobs.policy.PolicyRuntime;
import dev.rlflow.jobs.policy.PromptFormat;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.GenerationEngine;
import dev.rlflow.rollout.GenerationRequest;
import dev.rlflow.rollout.Sample;
import dev.rlflow.rollout.TeacherForcedScorer;
import dev.rlflow.training.sft.SftExample;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Evaluates a policy checkpoint on held-out problems, a batch at a time: a greedy solution and
 * {@code eval.samples} sampled ones per problem, each judged by the answer verifier and, for {@code
 * arith}, the greedy one step by step by the ground-truth step checker.
 */
final class EvalOperator extends AbstractStreamOperator<ProblemResult>
    implements OneInputStreamOperator<ProblemRecord, ProblemResult>, BoundedOneInput {
  private final RunContext run;
  private final String checkpoint;
  private transient RunConfig config;
  private transient PolicyRuntime loaded;
  private transient Tokenizer tokenizer;
  private transient TransformerModel policy;
  private transient GenerationEngine engine;
  private transient TeacherForcedScorer scorer;
  private transient List<ProblemRecord> pending;
  private transient int evaluated;
  private transient int correct;

  EvalOperator(RunContext run, String checkpoint) {
    this.run = run;
    this.checkpoint = checkpoint;
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
    policy = loaded.policy();
    engine =
        loaded.engine(
            config.run().seed() + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    scorer = new TeacherForcedScorer(config.eval().batchSize());
    pending = new ArrayList<>();
    getMetricGroup().gauge("accuracy", () -> evaluated == 0 ? 0.0 : (double) correct / evaluated);
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
    if (pending.size() >= config.eval().batchSize()) {
      flush();
    }
  }

  @Override
  public void endInput() {
    try {
      evaluate();
    } catch (RuntimeException e) {
      throw NonRetriable.classify(e);
    }
  }

  private void evaluate() {
    flush();
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    List<GenerationRequest> requests =
        PromptFormat.greedyAndSampled(
            tokenizer,
            pending,
            config.eval().samples(),
            config.eval().temperature(),
            config.rollout().maxNewTokens());
    List<Sample> samples = engine.generate(requests);
    List<int[]> prompts = new ArrayList<>();
    List<int[]> references = new ArrayList<>();
    for (ProblemRecord p : pending) {
      SftExample example = PromptFormat.example(tokenizer, p.question(), p.solution());
      prompts.add(example.prompt());
      references.add(example.response());
    }
    float[][] referenceLogProbs = scorer.logProbs(policy, prompts, references);
    AnswerVerifier verifier = new AnswerVerifier();
    StepChecker checker = new StepChecker();
    boolean arith = config.task().name() == TaskConfig.TaskName.ARITH;
    int next = 0;
    int index = 0;
    for (ProblemRecord p : pending) {
      float[] reference = referenceLogProbs[index++];
      double referenceLogProb = 0;
      for (float logProb : reference) {
        referenceLogProb += logProb;
      }
      String greedyText = tokenizer.decode(samples.get(next++).tokens());
      boolean greedyCorrect = verifier.verify(greedyText, p.answer()).correct();
      int stepsCorrect = 0;
      if (arith) {
        StepCheck check = checker.check(ArithProblem.parse(p.id(), p.question()), greedyText);
        // Extra steps beyond the reference never count: at most p.steps() can be right.
        long correct = check.steps().stream().filter(StepVerdict::correct).count();
        stepsCorrect = (int) Math.min(correct, p.steps());
      }
      int samplesCorrect = 0;
      for (int i = 0; i < config.eval().samples(); i++) {
        String text = tokenizer.decode(samples.get(next++).tokens());
        if (verifier.verify(text, p.answer()).correct()) {
          samplesCorrect++;
        }
      }
      evaluated++;
      correct += greedyCorrect ? 1 : 0;
      output.collect(
          new StreamRecord<>(
              new ProblemResult(
                  p.id(),
                  p.steps(),
                  greedyCorrect,
                  stepsCorrect,
                  config.eval().samples(),
                  samplesCorrect,
                  referenceLogProb,
                  reference.length,
                  greedyText)));
    }
    pending.clear();
  }

  @Override
  public void close() throws Exception {
    if (loaded != null) {
      loaded.close(); // never throws: a failing task must not take the TaskManager down
    }
    super.close();
  }
}
