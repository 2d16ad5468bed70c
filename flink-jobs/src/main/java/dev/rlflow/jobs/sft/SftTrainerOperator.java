package dev.rlflow.jobs.sft;

import ai.djl.engine.Engine;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.SftConfig;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.jobs.task.BatchOrder;
import dev.rlflow.jobs.task.ProblemRecord;
import dev.rlflow.jobs.task.PromptFormat;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.schedule.LearningRateSchedule;
import dev.rlflow.training.sft.SftExample;
import dev.rlflow.training.sft.SftTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Supervised warm start: collects the (limited) demonstrations, then, once its input ends, trains
 * the policy for {@code sft.updates} updates on batches drawn epoch by epoch in a seeded order,
 * emitting a {@link TrainingMetric} per update and writing Hugging Face checkpoints into the run
 * directory ({@code checkpoints/sft-step-N}, and {@code checkpoints/sft} at the end).
 *
 * <p>Training happens in {@code endInput}, so this job is bounded and runs in batch mode: a failed
 * attempt is re-run from the demonstrations, not resumed.
 */
final class SftTrainerOperator extends AbstractStreamOperator<TrainingMetric>
    implements OneInputStreamOperator<ProblemRecord, TrainingMetric>, BoundedOneInput {
  static final String FINAL_CHECKPOINT = "checkpoints/sft";

  private final RunContext run;
  private transient List<ProblemRecord> demonstrations;
  private transient volatile double lastLoss = Double.NaN;
  private transient volatile double lastTokensPerSecond;

  SftTrainerOperator(RunContext run) {
    this.run = run;
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
      BatchOrder order = new BatchOrder(examples.size(), config.run().seed());
      for (int update = 1; update <= sft.updates(); update++) {
        List<SftExample> batch = new ArrayList<>(sft.batchSize());
        for (int i = 0; i < sft.batchSize(); i++) {
          batch.add(examples.get(order.next()));
        }
        SftTrainer.StepResult result = trainer.step(batch);
        lastLoss = result.loss();
        lastTokensPerSecond = result.tokens() / Math.max(result.seconds(), 1e-9);
        String checkpoint = "";
        if (update == sft.updates() || update % sft.checkpointEvery() == 0) {
          String relative =
              update == sft.updates() ? FINAL_CHECKPOINT : "checkpoints/sft-step-" + update;
          Path dir = run.localPath(relative);
          model.save(dir, Long.MAX_VALUE);
          checkpoint = dir.toString();
        }
        output.collect(
            new StreamRecord<>(
                new TrainingMetric(
                    "sft",
                    update,
                    sft.updates(),
                    result.loss(),
                    result.lr(),
                    result.gradNorm(),
                    lastTokensPerSecond,
                    result.skipped(),
                    checkpoint)));
      }
    }
  }

  /** The policy to train: from {@code policy.checkpoint}, or new from the run seed. */
  private static TransformerModel policy(RunConfig config, Tokenizer tokenizer) throws Exception {
    ComputeTarget target = ComputeTarget.of(config.policy());
    if (config.policy().checkpoint().isPresent()) {
      return TransformerModel.load(
          Path.of(config.policy().checkpoint().get()),
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

  private static SftTrainer.Config trainerConfig(SftConfig sft) {
    LearningRateSchedule schedule =
        switch (sft.schedule()) {
          case COSINE ->
              new LearningRateSchedule.Cosine(
                  sft.lr(), sft.warmupUpdates(), sft.updates(), sft.minLrRatio());
          case CONSTANT -> new LearningRateSchedule.Constant(sft.lr(), sft.warmupUpdates());
        };
    return new SftTrainer.Config(
        schedule,
        AdamW.Hyperparameters.defaults().withWeightDecay(sft.weightDecay()),
        sft.gradClip(),
        sft.microBatches(),
        sft.maxSkippedUpdates());
  }
}
