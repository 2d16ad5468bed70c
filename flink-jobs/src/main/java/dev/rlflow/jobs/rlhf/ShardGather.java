package dev.rlflow.jobs.rlhf;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by batch: holds the scored shards of batch b in keyed state until all of them have come,
 * then emits the whole batch ({@link RlBatch#merge}) for the trainer. Shards held here are part of
 * Flink's checkpoints, so a restored job loses none.
 *
 * <p>Batches leave in order: shard k of batch b + 1 travels the same channels as shard k of batch b
 * (rollout subtask k, then the reward subtask of key k) and behind it, so batch b + 1 cannot be
 * complete before batch b is.
 */
final class ShardGather extends KeyedProcessFunction<Long, RlBatch, RlBatch> {
  private transient ListState<RlBatch> held;

  @Override
  public void open(OpenContext context) {
    held = getRuntimeContext().getListState(new ListStateDescriptor<>("shards", RlBatch.class));
  }

  @Override
  public void processElement(RlBatch shard, Context context, Collector<RlBatch> out)
      throws Exception {
    List<RlBatch> shards = new ArrayList<>();
    held.get().forEach(shards::add);
    shards.add(shard);
    if (shards.size() < shard.shards()) {
      held.add(shard);
      return;
    }
    held.clear();
    out.collect(RlBatch.merge(shards));
  }
}
