package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.problem.TaskData;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.resharding.store.WeightStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.lib.util.IteratorSourceReaderBase;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.NumberSequenceIterator;

/**
 * The RL job's source (FLIP-27): batches {@code 0 … rollout.iterations - 1} of the run's {@link
 * PromptPool}, in order, read where the source runs — the task's JSONL files on any Flink
 * FileSystem, or the generated arith stream — never built on the client.
 *
 * <p>It ends early when the trainer has ended the run ({@code rollout.time_budget}).
 *
 * <p>Its position is the next batch index, which Flink's {@link NumberSequenceSource} splits and
 * checkpoints; a batch is a function of its index, so a restored source emits the same batches. Run
 * at parallelism 1: one split, batches in order. The reader writes what the pool set aside to
 * {@code dead-letters/rlhf.jsonl} in the run directory.
 */
final class PromptSource
    implements Source<PromptBatch, NumberSequenceSplit, Collection<NumberSequenceSplit>>,
        ResultTypeQueryable<PromptBatch> {
  private static final long serialVersionUID = 1L;

  /** How often a waiting reader looks for the version it waits for. */
  private static final long PACE = 20;

  private static final TimeUnit UNIT = TimeUnit.MILLISECONDS;

  static final String DEAD_LETTERS = "dead-letters/rlhf.jsonl";

  private final RunContext run;
  private final NumberSequenceSource indices;

  PromptSource(RunContext run) {
    this.run = run;
    this.indices = new NumberSequenceSource(0, run.config().rollout().iterations() - 1L);
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.BOUNDED;
  }

  @Override
  public SourceReader<PromptBatch, NumberSequenceSplit> createReader(SourceReaderContext context) {
    return new Reader(context, run);
  }

  @Override
  public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> createEnumerator(
      SplitEnumeratorContext<NumberSequenceSplit> context) {
    return indices.createEnumerator(context);
  }

  @Override
  public SplitEnumerator<NumberSequenceSplit, Collection<NumberSequenceSplit>> restoreEnumerator(
      SplitEnumeratorContext<NumberSequenceSplit> context,
      Collection<NumberSequenceSplit> checkpoint) {
    return indices.restoreEnumerator(context, checkpoint);
  }

  @Override
  public SimpleVersionedSerializer<NumberSequenceSplit> getSplitSerializer() {
    return indices.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<Collection<NumberSequenceSplit>>
      getEnumeratorCheckpointSerializer() {
    return indices.getEnumeratorCheckpointSerializer();
  }

  @Override
  public TypeInformation<PromptBatch> getProducedType() {
    return TypeInformation.of(PromptBatch.class);
  }

  /** Turns batch indices into batches of the pool it loads when it starts. */
  private static final class Reader
      extends IteratorSourceReaderBase<
          Long, PromptBatch, NumberSequenceIterator, NumberSequenceSplit> {
    private final RunContext run;
    private final int staleness;
    private PromptPool pool;
    private WeightStore store;

    Reader(SourceReaderContext context, RunContext run) {
      super(context);
      this.run = run;
      this.staleness = run.config().rollout().maxStaleness();
    }

    @Override
    protected void start(SourceReaderContext context) {
      try {
        RunConfig config = run.config();
        pool = PromptPool.load(config);
        // The trainer's versions, wherever this reader runs: in this JVM's memory when colocated,
        // on the filesystem when disaggregated.
        store = WeightStores.of(run, config);
        new TaskData(List.of(), pool.deadLetters(), PromptPool.SOURCE)
            .writeDeadLetters(new Path(run.runDirectory(), DEAD_LETTERS));
      } catch (IOException e) {
        throw NonRetriable.classify(new UncheckedIOException(e));
      } catch (RuntimeException e) {
        throw NonRetriable.classify(e);
      }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<PromptBatch> output) {
      if (mustWait()) {
        // rollout.time_budget ran out: the version waited for never comes, no batch is trained
        return store.finishedAt().isPresent()
            ? InputStatus.END_OF_INPUT
            : InputStatus.NOTHING_AVAILABLE;
      }
      return super.pollNext(output);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return mustWait()
          ? CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(PACE, UNIT))
          : super.isAvailable();
    }

    /** Whether the next batch must wait for the trainer ({@link PromptSource}'s pacing). */
    private boolean mustWait() {
      if (iterator == null || !iterator.hasNext()) {
        return false;
      }
      long needed = iterator.getCurrent() - staleness - 1;
      return needed >= 0 && store.latestVersion().orElse(-1) < needed;
    }

    @Override
    protected PromptBatch convert(Long batch) {
      return pool.batch(batch);
    }
  }
}
