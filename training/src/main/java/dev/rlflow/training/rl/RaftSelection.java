package dev.rlflow.training.rl;

import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.training.advantage.Raft;
import dev.rlflow.training.advantage.TokenAdvantages;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * What raft trains on: of a batch, the responses it accepts; with {@code algorithm.replay_size >
 * 0}, each minibatch joined by as many accepted responses of earlier iterations, drawn from a
 * {@link ReplayBuffer}.
 */
final class RaftSelection {
  private final ReplayBuffer replay; // null without replay

  /** A selection replaying the newest {@code replaySize} accepted responses (0: none). */
  RaftSelection(int replaySize) {
    this.replay = replaySize > 0 ? new ReplayBuffer(replaySize) : null;
  }

  /**
   * The responses raft updates on, in batch order: those with an accepted token ({@link
   * Raft#advantages}), each distinct response of a prompt once (a verified solution sampled four
   * times is still one solution).
   */
  static List<ScoredResponse> accepted(List<ScoredResponse> batch) {
    List<ScoredResponse> accepted = new ArrayList<>();
    Set<List<Integer>> seen = new HashSet<>(); // (group, response tokens...)
    for (ScoredResponse r : batch) {
      int[] tokens = r.response().tokens();
      boolean any =
          Arrays.stream(Raft.advantages(r.outcome(), Experience.steps(r), tokens.length))
              .anyMatch(a -> a > 0);
      if (any
          && seen.add(
              IntStream.concat(IntStream.of(r.prompt().group()), Arrays.stream(tokens))
                  .boxed()
                  .toList())) {
        accepted.add(r);
      }
    }
    return accepted;
  }

  /**
   * Appends to {@code minibatch} as many rows as it holds, drawn by {@code random} from the earlier
   * iterations' accepted responses; nothing without replay or before the first iteration.
   */
  void replayInto(List<Row> minibatch, Random random) {
    if (replay == null || replay.isEmpty()) {
      return;
    }
    for (int k = 0, fromBatch = minibatch.size(); k < fromBatch; k++) {
      ReplayBuffer.Entry e = replay.draw(random);
      ScoredResponse r = e.response();
      Experience experience = Experience.of(r, e.refLogProbs(), new double[0]);
      // no critic trains on raft's returns
      minibatch.add(
          new Row(
              r, experience, new TokenAdvantages(e.advantages(), new double[experience.tokens()])));
    }
  }

  /** Keeps this iteration's accepted {@code rows} for later iterations to replay. */
  void remember(List<Row> rows) {
    if (replay == null) {
      return;
    }
    List<ReplayBuffer.Entry> fresh = new ArrayList<>(rows.size());
    for (Row row : rows) {
      fresh.add(
          new ReplayBuffer.Entry(
              row.response(), row.experience().refLogProbs(), row.estimate().advantages()));
    }
    replay.addAll(fresh);
  }

  /** The replay buffer's bytes ({@link ReplayBuffer#toBytes}), empty without replay. */
  byte[] replayBytes() throws IOException {
    return replay == null ? new byte[0] : replay.toBytes();
  }

  /** Reads back what {@link #replayBytes} returned, if this selection replays. */
  void loadReplay(byte[] bytes) throws IOException {
    if (replay != null) {
      replay.load(bytes);
    }
  }
}
