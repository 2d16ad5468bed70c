package dev.rlflow.jobs.sft;

import ai.djl.engine.Engine;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.SftConfig;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.jobs.policy.PromptFormat;
import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.jobs.runner.ModelDirectories;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.loop.TrainingLoop;
import dev.rlflow.training.loop.TrainingMetric;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.schedule.LearningRateSchedule;
import dev.rlflow.training.sft.SftExample;
import dev.rlflow.training.sft.SftTrainer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Supervised warm start: collects the (limited) demonstrations, then, once its input ends, trains
 * the policy for {@code sft.updates} updates in a {@link TrainingLoop}, emitting its {@link
 * TrainingMetric} per update and writing Hugging Face checkpoints with their {@link Provenance}
 * into the run directory ({@code checkpoints/sft-step-N}, and {@code checkpoints/sft} at the end).
 *
 * <p>The same operator trains RL's control (continued SFT for RL's wall time): its {@link Plan}
 * names the stage, the final checkpoint and a time limit after which the update in progress is the
 * last.
 *
 * <p>Training happens in {@code endInput}, so this job is bounded and runs in batch mode: a failed
 * attempt is re-run from the demonstrations, not resumed.
 */
final class SftTrainerOperator extends AbstractStreamOperator<TrainingMetric>
    implements OneInputStreamOperator<ProblemRecord, TrainingMetric>, BoundedOneInput {
  static final String FINAL_CHECKPOINT = "checkpoints/sft";

  /**
   * What to train for.
   *
   * @param stage the stage name of the metrics
   * @param finalCheckpoint where the last update's policy goes, relative to the run directory
   * @param maxSeconds training time after which the update in progress is the last
   */
  record Plan(String stage, String finalCheckpoint, double maxSeconds) implements Serializable {
    static final Plan SFT = new Plan("sft", FINAL_CHECKPOINT, Double.POSITIVE_INFINITY);
  }

  private final RunContext run;
  private final Plan plan;
  private transient List<ProblemRecord> demonstrations;
  private transient volatile double lastLoss = Double.NaN;
  private transient volatile double lastTokensPerSecond;

  SftTrainerOperator(RunContext run, Plan plan) {
    this.run = run;
    this.plan = plan;
  }

  @Override
  public void open() throws Exception {
    super.open();
    demonstrations = new ArrayList<>();
    getMetricGroup().gauge("loss", () -> lastLoss);
    getMetricGroup().gauge("tokensPerSecond", () -> lastTokensPerSecond);
  }

  @Override
  public void processElement(StreamRecord<ProblemRecord> element) {
    demonstrations.add(element.getValue());
  }

  @Override
  public void endInput() throws Exception {
    try {
      train();
    } catch (Exception e) {
      throw NonRetriable.classify(e);
    }
  }

  private void train() throws Exception {
    RunConfig config = run.config();
    SftConfig sft = config.sft();
    Engine.getInstance(); // before any JniUtils call (DESIGN.md §1)
    try (Tokenizer tokenizer = Tokenizers.load(config.policy().tokenizer());
        TransformerModel model = policy(config, tokenizer);
        SftTrainer trainer = new SftTrainer(model, trainerConfig(sft), tokenizer.padId())) {
      List<SftExample> examples = new ArrayList<>(demonstrations.size());
      for (ProblemRecord p : demonstrations) {
        examples.add(PromptFormat.example(tokenizer, p.question(), p.solution()));
      }
      Provenance provenance = Provenance.of(config, run.runId());
      TrainingLoop loop =
          new TrainingLoop(
              new TrainingLoop.Plan(
                  plan.stage(), sft.updates(), sft.batchSize(), plan.maxSeconds()),
              System::nanoTime);
      loop.run(
          examples,
          config.run().seed(),
          trainer::step,
          (update, last) -> {
            if (!last && update % sft.checkpointEvery() != 0) {
              return "";
            }
            String relative =
                last ? plan.finalCheckpoint() : "checkpoints/" + plan.stage() + "-step-" + update;
            return ModelDirectories.save(
                run.resolve(relative),
                dir -> ModelCheckpoint.save(model, dir, Long.MAX_VALUE, provenance));
          },
          metric -> {
            lastLoss = metric.loss();
            lastTokensPerSecond = metric.tokensPerSecond();
            output.collect(new StreamRecord<>(metric));
          });
    }
  }

  /** The policy to train: from {@code policy.checkpoint}, or new from the run seed. */
  private static TransformerModel policy(RunConfig config, Tokenizer tokenizer) throws Exception {
    ComputeTarget target = ComputeTarget.of(config.policy());
    if (config.policy().checkpoint().isPresent()) {
      return ModelCheckpoint.load(
          ModelDirectories.local(config.policy().checkpoint().get()),
          TransformerModel.Head.LM,
          target,
          config.run().seed());
    }
    return TransformerModel.create(
        ModelConfig.of(config.policy(), tokenizer.vocabSize()),
        TransformerModel.Head.LM,
        target.dtype(),
        target.device(),
        config.run().seed());
  }

  /** The learning-rate schedule of the {@code sft} section. */
  static LearningRateSchedule schedule(SftConfig sft) {
    return switch (sft.schedule()) {
      case COSINE ->
          new LearningRateSchedule.Cosine(
              sft.lr(), sft.warmupUpdates(), sft.updates(), sft.minLrRatio());
      case CONSTANT -> new LearningRateSchedule.Constant(sft.lr(), sft.warmupUpdates());
    };
  }

  private static SftTrainer.Config trainerConfig(SftConfig sft) {
    return new SftTrainer.Config(
        schedule(sft),
        AdamW.Hyperparameters.defaults().withWeightDecay(sft.weightDecay()),
        sft.gradClip(),
        sft.microBatches(),
        sft.maxSkippedUpdates());
  }
}
