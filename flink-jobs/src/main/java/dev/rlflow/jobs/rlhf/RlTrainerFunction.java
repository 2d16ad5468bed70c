package dev.rlflow.jobs.rlhf;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.resharding.store.WeightStore;
import dev.rlflow.training.advantage.Steps;
import dev.rlflow.training.ppo.PpoTrainer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Trainer (DESIGN.md §3): one subtask holding the policy, the frozen reference (the starting
 * checkpoint) and, for ppo, the critic (initialised from the policy). At open it publishes version
 * 0; for batch b it runs one {@link PpoTrainer} iteration and publishes version b + 1, which the
 * rollout of batch b + 1 + s waits for. After the last batch it writes the policy to {@code
 * checkpoints/rl} (Hugging Face layout) and reports the SHA-256 of its weights.
 *
 * <p>Batches arrive in order because every operator before it runs in order at parallelism 1 and
 * the rollout cannot answer batch b + 1 + s before version b + 1 exists.
 */
final class RlTrainerFunction extends KeyedProcessFunction<Long, RlBatch, RlMetric> {
  static final String FINAL_CHECKPOINT = "checkpoints/rl";

  private final RunContext run;
  private final String checkpoint;
  private transient RunConfig config;
  private transient TransformerModel policy;
  private transient TransformerModel reference;
  private transient TransformerModel critic;
  private transient PpoTrainer trainer;
  private transient WeightStore store;
  private transient long lastEnd;

  RlTrainerFunction(RunContext run, String checkpoint) {
    this.run = run;
    this.checkpoint = checkpoint;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    Engine.getInstance();
    config = run.config();
    ComputeTarget target = ComputeTarget.of(config.policy());
    long seed = config.run().seed();
    Path dir = Path.of(checkpoint);
    policy = TransformerModel.load(dir, TransformerModel.Head.LM, target, seed);
    reference = TransformerModel.load(dir, TransformerModel.Head.LM, target, seed);
    if (config.algorithm().name() == AlgorithmConfig.Name.PPO) {
      critic = TransformerModel.load(dir, TransformerModel.Head.VALUE, target, seed);
    }
    int padId;
    try (Tokenizer tokenizer = Tokenizers.load(config.policy().tokenizer())) {
      padId = tokenizer.padId();
    }
    trainer =
        new PpoTrainer(
            policy,
            reference,
            critic,
            new PpoTrainer.Config(
                config.algorithm(),
                config.sft().gradClip(),
                config.sft().maxSkippedUpdates(),
                seed,
                padId));
    store = WeightStores.of(run.runDirectory(), RolloutFunction.retained(config));
    store.publish(0, policy.weights());
    lastEnd = System.nanoTime();
  }

  @Override
  public void processElement(RlBatch batch, Context context, Collector<RlMetric> out)
      throws Exception {
    List<PpoTrainer.Response> responses = new ArrayList<>(batch.responses().size());
    double rewardSum = 0;
    double stepSum = 0;
    long stepCount = 0;
    long correct = 0;
    for (RlResponse r : batch.responses()) {
      Steps steps =
          r.stepRewards().length == 0 ? Steps.none() : new Steps(r.stepEnds(), r.stepRewards());
      responses.add(
          new PpoTrainer.Response(
              r.prompt().group(),
              r.prompt().tokens(),
              r.tokens(),
              r.logProbs(),
              steps,
              r.outcome()));
      rewardSum += r.outcome();
      for (double s : r.stepRewards()) {
        rewardSum += s;
        stepSum += s;
        stepCount++;
      }
      correct += r.correct() ? 1 : 0;
    }
    long start = System.nanoTime();
    PpoTrainer.IterationResult result = trainer.iterate(responses);
    store.publish(batch.batch() + 1, policy.weights());
    long end = System.nanoTime();
    double trainSeconds = (end - start) / 1e9;
    double iterationSeconds = (end - lastEnd) / 1e9;
    lastEnd = end;
    int n = batch.responses().size();
    long tokens = batch.tokens();
    double compute = batch.generationSeconds() + batch.rewardSeconds() + trainSeconds;
    String saved = "";
    String sha = "";
    if (batch.batch() == config.rollout().iterations() - 1) {
      Path dir = run.localPath(FINAL_CHECKPOINT);
      policy.save(dir, Long.MAX_VALUE);
      saved = dir.toString();
      sha = sha256(policy.weights());
    }
    out.collect(
        new RlMetric(
            batch.batch(),
            batch.version(),
            rewardSum / n,
            (double) correct / n,
            stepCount == 0 ? 0 : stepSum / stepCount,
            result.kl(),
            result.klCoef(),
            result.entropy(),
            result.clipFraction(),
            result.policyLoss(),
            result.valueLoss(),
            (double) tokens / n,
            tokens / Math.max(batch.generationSeconds(), 1e-9),
            tokens * config.algorithm().epochs() / Math.max(trainSeconds, 1e-9),
            batch.generationSeconds(),
            batch.waitSeconds(),
            batch.rewardSeconds(),
            trainSeconds,
            iterationSeconds,
            // With a lag, generation overlaps training, so compute can exceed the wall time.
            Math.max(0, 1 - compute / Math.max(iterationSeconds, 1e-9)),
            result.skipped(),
            saved,
            sha));
  }

  /** SHA-256 over the weights in name order: name bytes, then the float32 values little-endian. */
  static String sha256(Map<String, NDArray> weights) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (Map.Entry<String, NDArray> e : new TreeMap<>(weights).entrySet()) {
      digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      float[] values = e.getValue().toFloatArray();
      ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      buffer.asFloatBuffer().put(values);
      digest.update(buffer);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public void close() throws Exception {
    try {
      if (trainer != null) {
        trainer.close();
      }
      for (TransformerModel m : new TransformerModel[] {policy, reference, critic}) {
        if (m != null) {
          m.close();
        }
      }
    } catch (RuntimeException ignored) {
      // close() must never throw (DESIGN.md §1)
    } finally {
      WeightStores.close(run.runDirectory());
    }
    super.close();
  }
}
