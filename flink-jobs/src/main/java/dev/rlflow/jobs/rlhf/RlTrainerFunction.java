package dev.rlflow.jobs.rlhf;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.core.rl.PolicyVersion;
import dev.rlflow.jobs.runner.ModelDirectories;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.resharding.checkpoint.CheckpointInfo;
import dev.rlflow.resharding.store.WeightLease;
import dev.rlflow.resharding.store.WeightStore;
import dev.rlflow.training.rl.IterationResult;
import dev.rlflow.training.rl.RlTrainer;
import dev.rlflow.training.rl.TrainerCheckpoint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trainer (DESIGN.md §3): one subtask holding the policy, the frozen reference (the starting
 * checkpoint) and, for ppo, the critic (initialised from the policy). At open it publishes version
 * 0; for batch b it runs one {@link RlTrainer} iteration and publishes version b + 1, which the
 * rollout of batch b + 1 + s waits for. After the last batch it writes the policy to {@code
 * checkpoints/rl} (Hugging Face layout) and reports the SHA-256 of its weights: batch {@code
 * rollout.iterations - 1}, or the one that spends {@code rollout.time_budget} ({@link
 * WeightStore#finish} then ends the run).
 *
 * <p>Batches arrive in order because every operator before it runs in order at parallelism 1 and
 * the rollout cannot answer batch b + 1 + s before version b + 1 exists.
 *
 * <p><b>Recovery.</b> At each Flink checkpoint the trainer saves policy, critic and both
 * optimizers' moments, plus the policy versions {@code v - s … v - 1} that batches still in the
 * rollout were or will be generated with, as one universal checkpoint ({@link
 * UniversalTrainerCheckpoint}) at {@code checkpoints/rl-state/<job id>/chk-<id>} under the run
 * directory, on whatever Hadoop FileSystem holds it (file://, hdfs://), and keeps in Flink's
 * operator state a {@link TrainerState} (with its versioned {@link TrainerStateSerializer}): the
 * version, the counters (iterations = the RNG state, optimizer steps, KL beta) and that version's
 * URI. A save whose writer died before its commit marker is never loaded. Restored, it reloads them
 * and republishes versions {@code v - s … v}, so the replayed batches are generated and trained
 * exactly as before the failure: the run ends with the same weights bit for bit.
 */
final class RlTrainerFunction extends KeyedProcessFunction<Long, RlBatch, RlMetric>
    implements CheckpointedFunction, CheckpointListener {
  static final String FINAL_CHECKPOINT = "checkpoints/rl";
  private static final Logger LOG = LoggerFactory.getLogger(RlTrainerFunction.class);

  private final RunContext run;
  private final String checkpoint;
  private transient RunConfig config;
  private transient Provenance provenance; // recorded in every checkpoint the trainer writes
  private transient TransformerModel policy;
  private transient TransformerModel reference;
  private transient TransformerModel critic;
  private transient RlTrainer trainer;
  private transient WeightStore store;
  private transient long lastEnd;
  private transient ListState<TrainerState> state;
  private transient TrainerState restored;
  private transient long version;
  private transient Deque<Long> saved;
  private transient long budgetStart; // when the time budget (rollout.time_budget) started
  private transient boolean finished; // the run ended early: later batches are not trained

  RlTrainerFunction(RunContext run, String checkpoint) {
    this.run = run;
    this.checkpoint = checkpoint;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    try {
      load(context);
    } catch (Exception e) {
      throw NonRetriable.classify(e);
    }
  }

  private void load(OpenContext context) throws Exception {
    Engine.getInstance();
    config = run.config();
    provenance = Provenance.of(config, run.runId());
    ComputeTarget target = ComputeTarget.of(config.policy());
    long seed = config.run().seed();
    Path dir = ModelDirectories.local(checkpoint);
    policy = ModelCheckpoint.load(dir, TransformerModel.Head.LM, target, seed);
    reference = ModelCheckpoint.load(dir, TransformerModel.Head.LM, target, seed);
    if (config.algorithm().name() == AlgorithmConfig.Name.PPO) {
      critic = ModelCheckpoint.load(dir, TransformerModel.Head.VALUE, target, seed);
    }
    int padId;
    try (Tokenizer tokenizer = Tokenizers.load(config.policy().tokenizer())) {
      padId = tokenizer.padId();
    }
    trainer =
        new RlTrainer(
            policy,
            reference,
            critic,
            new RlTrainer.Config(config.algorithm(), seed, padId, config.rollout().temperature()));
    store = WeightStores.of(run, config);
    if (restored == null) {
      version = 0;
    } else {
      resume(restored);
    }
    store.publish(version, policy.weights());
    saved = new ArrayDeque<>();
    lastEnd = budgetStart = System.nanoTime(); // restored, the budget starts again
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    try {
      restore(context);
    } catch (Exception e) {
      throw NonRetriable.classify(e);
    }
  }

  private void restore(FunctionInitializationContext context) throws Exception {
    state =
        context
            .getOperatorStateStore()
            .getListState(new ListStateDescriptor<>("trainer", TrainerStateSerializer.INSTANCE));
    restored = null;
    if (context.isRestored()) {
      for (TrainerState s : state.get()) {
        restored = s;
      }
    }
  }

  /** Loads a checkpoint's trainer and publishes the older versions in-flight batches need. */
  private void resume(TrainerState s) throws Exception {
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      UniversalTrainerCheckpoint.Restored saved =
          UniversalTrainerCheckpoint.read(s.directory(), s.counters(), staging);
      trainer.restore(saved.trainer());
      for (long v = s.oldest(); v < s.version(); v++) {
        store.publish(v, saved.olderPolicy(v));
      }
    }
    version = s.version();
    LOG.info("Trainer resumed at policy version {} from {}", version, s.directory());
  }

  /** Writes the trainer's save of this checkpoint (see Recovery above). */
  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    org.apache.hadoop.fs.Path dir = saveDir(context.getCheckpointId());
    TrainerCheckpoint checkpoint = trainer.save();
    long oldest = PolicyVersion.answering(version, config.rollout().maxStaleness()).number();
    List<WeightLease> leases = new ArrayList<>();
    try {
      Map<Long, Map<String, NDArray>> older = new TreeMap<>();
      for (long v = oldest; v < version; v++) {
        WeightLease lease = store.await(v, Duration.ZERO);
        leases.add(lease);
        older.put(v, lease.weights().tensors());
      }
      CheckpointInfo info = new CheckpointInfo(provenance, version, Optional.of(policy.config()));
      String uri = UniversalTrainerCheckpoint.write(dir, checkpoint, older, info);
      state.update(List.of(new TrainerState(version, oldest, checkpoint.counters(), uri)));
    } finally {
      for (WeightLease lease : leases) {
        lease.close();
      }
    }
    saved.addLast(context.getCheckpointId());
  }

  /**
   * Deletes the trainer saves of checkpoints older than the {@code checkpointing.keep} newest
   * completed ones, which Flink has discarded too.
   */
  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    List<Long> completed = new ArrayList<>();
    for (Long id : saved) {
      if (id <= checkpointId) {
        completed.add(id);
      }
    }
    int keep = config.checkpointing().keep();
    for (int i = 0; i < completed.size() - keep; i++) {
      long id = completed.get(i);
      saved.remove(id);
      UniversalTrainerCheckpoint.delete(saveDir(id));
    }
  }

  /** An aborted checkpoint's save is of no use: delete it at once. */
  @Override
  public void notifyCheckpointAborted(long checkpointId) throws Exception {
    if (saved.remove(checkpointId)) {
      UniversalTrainerCheckpoint.delete(saveDir(checkpointId));
    }
  }

  /** Where the trainer saves its part of checkpoint {@code checkpointId} of this job. */
  private org.apache.hadoop.fs.Path saveDir(long checkpointId) {
    String job = getRuntimeContext().getJobInfo().getJobId().toHexString();
    return UniversalTrainerCheckpoint.saveDir(run.runDirectory(), job, checkpointId);
  }

  @Override
  public void processElement(RlBatch batch, Context context, Collector<RlMetric> out)
      throws Exception {
    try {
      train(batch, context, out);
    } catch (Exception e) {
      throw NonRetriable.classify(e);
    }
  }

  private void train(RlBatch batch, Context context, Collector<RlMetric> out) throws Exception {
    if (finished) {
      return; // generated before the rollout heard of the end; nothing trains on it
    }
    long start = System.nanoTime();
    if (batch.batch() != version) {
      throw new IllegalStateException(
          "Batch "
              + batch.batch()
              + " reached the trainer at policy version "
              + version
              + "; batches must arrive in order");
    }
    IterationResult result = trainer.iterate(batch.responses());
    version = batch.batch() + 1;
    boolean last = batch.batch() == config.rollout().iterations() - 1;
    Duration budget = config.rollout().timeBudget();
    if (!last && !budget.isZero() && System.nanoTime() - budgetStart >= budget.toNanos()) {
      last = finished = true; // the final policy, which no rollout needs: not published
      store.finish(version - 1);
      LOG.info("rollout.time_budget {} spent after {} iterations", budget, version);
    } else {
      store.publish(version, policy.weights());
    }
    long end = System.nanoTime();
    double trainSeconds = (end - start) / 1e9;
    double iterationSeconds = (end - lastEnd) / 1e9;
    lastEnd = end;
    long tokens = batch.tokens();
    double compute = batch.generationSeconds() + batch.rewardSeconds() + trainSeconds;
    String saved = "";
    String sha = "";
    if (last) {
      saved =
          ModelDirectories.save(
              run.resolve(FINAL_CHECKPOINT),
              dir -> ModelCheckpoint.save(policy, dir, Long.MAX_VALUE, provenance));
      sha = sha256(policy.weights());
    }
    out.collect(
        new RlMetric(
            batch.batch(),
            batch.version(),
            batch.rewardMean(),
            batch.accuracy(),
            batch.stepRewardMean(),
            result.kl(),
            result.klCoef(),
            result.entropy(),
            result.clipFraction(),
            result.policyLoss(),
            result.valueLoss(),
            (double) tokens / batch.responses().size(),
            tokens / Math.max(batch.generationSeconds(), 1e-9),
            result.tokens() / Math.max(trainSeconds, 1e-9),
            batch.generationSeconds(),
            batch.waitSeconds(),
            batch.rewardSeconds(),
            trainSeconds,
            iterationSeconds,
            // With a lag, generation overlaps training, so compute can exceed the wall time.
            Math.max(0, 1 - compute / Math.max(iterationSeconds, 1e-9)),
            result.skipped(),
            result.logProbGap().mean(),
            result.logProbGap().max(),
            batch.mcRollouts(),
            batch.acceptedWrongStepShare(),
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
      WeightStores.close(run);
    }
    super.close();
  }
}
