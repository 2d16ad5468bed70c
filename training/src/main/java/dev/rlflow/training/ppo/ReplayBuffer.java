package dev.rlflow.training.ppo;

import dev.rlflow.training.advantage.Steps;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * raft's accepted responses of earlier iterations, the newest {@code capacity} of them: the dataset
 * that rejection-sampling fine-tuning grows from its own verified samples (ReST, Gulcehre et al.
 * 2023, arXiv 2308.08998). Each holds what an update needs without the model that sampled it: the
 * tokens, the reference log-probs (the reference is frozen, so they stay right) and the advantages.
 * Part of the trainer's state: {@link #write} and {@link #read} keep it bit for bit.
 */
final class ReplayBuffer {

  /** One accepted response with the reference's log-probs and raft's advantages of its tokens. */
  record Entry(PpoTrainer.Response response, double[] refLogProbs, double[] advantages) {}

  private static final int FORMAT = 1;

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

  /** Writes every entry, in order, to {@code file}. */
  void write(Path file) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(FORMAT);
      out.writeInt(entries.size());
      for (Entry e : entries) {
        PpoTrainer.Response r = e.response();
        out.writeInt(r.group());
        writeInts(out, r.prompt());
        writeInts(out, r.response());
        for (float lp : r.oldLogProbs()) {
          out.writeFloat(lp);
        }
        writeInts(out, r.steps().ends());
        writeDoubles(out, r.steps().rewards());
        out.writeDouble(r.outcome());
        writeDoubles(out, e.refLogProbs());
        writeDoubles(out, e.advantages());
      }
    }
  }

  /**
   * Replaces the entries with what {@link #write} wrote to {@code file}.
   *
   * @throws IOException when the file is missing, truncated or of another format
   */
  void load(Path file) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException(
            "Replay buffer " + file + " has format " + format + ", this version reads " + FORMAT);
      }
      int count = in.readInt();
      List<Entry> entries = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int group = in.readInt();
        int[] prompt = readInts(in);
        int[] response = readInts(in);
        float[] old = new float[response.length];
        for (int t = 0; t < old.length; t++) {
          old[t] = in.readFloat();
        }
        Steps steps = new Steps(readInts(in), readDoubles(in));
        double outcome = in.readDouble();
        entries.add(
            new Entry(
                new PpoTrainer.Response(group, prompt, response, old, steps, outcome),
                readDoubles(in),
                readDoubles(in)));
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
