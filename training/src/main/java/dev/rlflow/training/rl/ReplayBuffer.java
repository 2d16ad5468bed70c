package dev.rlflow.training.rl;

import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * raft's accepted responses of earlier iterations, the newest {@code capacity} of them: the dataset
 * that rejection-sampling fine-tuning grows from its own verified samples (ReST, Gulcehre et al.
 * 2023, arXiv 2308.08998). Each holds what an update needs without the model that sampled it: the
 * response, the reference log-probs (the reference is frozen, so they stay right) and the
 * advantages. Part of the trainer's state: {@link #toBytes} and {@link #load} keep it bit for bit.
 */
final class ReplayBuffer {

  /** One accepted response with the reference's log-probs and raft's advantages of its tokens. */
  record Entry(ScoredResponse response, double[] refLogProbs, double[] advantages) {
    Entry {
      Objects.requireNonNull(response, "response");
      refLogProbs = refLogProbs.clone();
      advantages = advantages.clone();
    }

    @Override
    public double[] refLogProbs() {
      return refLogProbs.clone();
    }

    @Override
    public double[] advantages() {
      return advantages.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && response.equals(e.response)
          && Arrays.equals(refLogProbs, e.refLogProbs)
          && Arrays.equals(advantages, e.advantages);
    }

    @Override
    public int hashCode() {
      return Objects.hash(response, Arrays.hashCode(refLogProbs), Arrays.hashCode(advantages));
    }

    @Override
    public String toString() {
      return "Entry[response="
          + response
          + ", refLogProbs="
          + Arrays.toString(refLogProbs)
          + ", advantages="
          + Arrays.toString(advantages)
          + "]";
    }
  }

  /** 2: whole scored responses (prompt text, verdict, step ends); 1 held the trainer's view. */
  private static final int FORMAT = 2;

  private final int capacity;
  private final List<Entry> entries = new ArrayList<>();

  ReplayBuffer(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + capacity + " for capacity: must be >= 1");
    }
    this.capacity = capacity;
  }

  /** Adds {@code added} in order, dropping the oldest entries beyond the capacity. */
  void addAll(List<Entry> added) {
    entries.addAll(added);
    if (entries.size() > capacity) {
      entries.subList(0, entries.size() - capacity).clear();
    }
  }

  /** An entry drawn uniformly by {@code random}; the buffer must not be empty. */
  Entry draw(Random random) {
    return entries.get(random.nextInt(entries.size()));
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The entries, oldest first. */
  List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** Every entry, in order, as bytes that {@link #load} reads back. */
  byte[] toBytes() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT);
      out.writeInt(entries.size());
      for (Entry e : entries) {
        ScoredResponse s = e.response();
        Response r = s.response();
        Prompt p = r.prompt();
        out.writeInt(p.group());
        out.writeUTF(p.problemId());
        out.writeUTF(p.question());
        out.writeUTF(p.answer());
        writeInts(out, p.tokens());
        writeInts(out, r.tokens());
        for (float lp : r.logProbs()) {
          out.writeFloat(lp);
        }
        writeInts(out, r.stepEnds());
        out.writeBoolean(s.correct());
        out.writeDouble(s.outcome());
        writeDoubles(out, s.stepRewards());
        writeDoubles(out, e.refLogProbs());
        writeDoubles(out, e.advantages());
      }
    }
    return bytes.toByteArray();
  }

  /**
   * Replaces the entries with what {@link #toBytes} returned.
   *
   * @throws IOException when the bytes are empty, truncated or of another format
   */
  void load(byte[] bytes) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (bytes.length == 0) {
        throw new IOException("The checkpoint holds no replay buffer, which raft's replay needs");
      }
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException(
            "Replay buffer has format " + format + ", this version reads " + FORMAT);
      }
      int count = in.readInt();
      List<Entry> entries = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        Prompt prompt =
            new Prompt(in.readInt(), in.readUTF(), in.readUTF(), in.readUTF(), readInts(in));
        int[] tokens = readInts(in);
        float[] logProbs = new float[tokens.length];
        for (int t = 0; t < logProbs.length; t++) {
          logProbs[t] = in.readFloat();
        }
        Response response = new Response(prompt, tokens, logProbs, readInts(in));
        boolean correct = in.readBoolean();
        double outcome = in.readDouble();
        ScoredResponse scored = new ScoredResponse(response, correct, outcome, readDoubles(in));
        entries.add(new Entry(scored, readDoubles(in), readDoubles(in)));
      }
      this.entries.clear();
      addAll(entries);
    }
  }

  private static void writeInts(DataOutputStream out, int[] values) throws IOException {
    out.writeInt(values.length);
    for (int v : values) {
      out.writeInt(v);
    }
  }

  private static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
    out.writeInt(values.length);
    for (double v : values) {
      out.writeDouble(v);
    }
  }

  private static int[] readInts(DataInputStream in) throws IOException {
    int[] values = new int[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readInt();
    }
    return values;
  }

  private static double[] readDoubles(DataInputStream in) throws IOException {
    double[] values = new double[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readDouble();
    }
    return values;
  }
}
