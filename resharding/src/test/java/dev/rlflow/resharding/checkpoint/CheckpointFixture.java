package dev.rlflow.resharding.checkpoint;

import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.resharding.checkpoint.CheckpointWriter.Fragment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A version written by two ranks, with expected contents built by hand: each element's bytes
 * spelled out, never produced by the code under test.
 */
final class CheckpointFixture {
  static final Provenance PROVENANCE = new Provenance("run-7", "cafe01", 7, "0.1.0+test");
  static final ModelConfig MODEL =
      new ModelConfig(PolicyConfig.Architecture.LLAMA, 11, 8, 1, 2, 1, 16, 32, 10_000, 1e-6, true);
  static final CheckpointInfo INFO =
      new CheckpointInfo(PROVENANCE, 12, java.util.Optional.of(MODEL));

  private CheckpointFixture() {}

  /** F32 [4, 6], element (r, c) = 10 r + c: the global tensor {@code w}. */
  static TensorBytes w() {
    return f32(new long[] {4, 6}, (r, c) -> 10 * r + c);
  }

  /** Rows [from, to) of {@link #w()} as its own tensor. */
  static TensorBytes wRows(int from, int to) {
    return f32(new long[] {to - from, 6}, (r, c) -> 10 * (r + from) + c);
  }

  /** Columns [from, to) of {@code -w}, the Adam moment of w split by columns. */
  static TensorBytes momentColumns(int from, int to) {
    return f32(new long[] {4, to - from}, (r, c) -> -(10 * r + c + from));
  }

  interface Element {
    float at(int row, int column);
  }

  static TensorBytes f32(long[] shape, Element element) {
    ByteBuffer out =
        ByteBuffer.allocate((int) (shape[0] * shape[1] * 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < shape[0]; r++) {
      for (int c = 0; c < shape[1]; c++) {
        out.putFloat(element.at(r, c));
      }
    }
    return new TensorBytes(TensorDtype.F32, shape, out.array());
  }

  /** Little-endian 16-bit words. */
  static byte[] words(int... words) {
    ByteBuffer out = ByteBuffer.allocate(words.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int word : words) {
      out.putShort((short) word);
    }
    return out.array();
  }

  /** BF16 1.5, -2 | 0.25, 3 (0x3FC0, 0xC000, 0x3E80, 0x4040), split over both ranks. */
  static final byte[] BIAS_BF16 = words(0x3FC0, 0xC000, 0x3E80, 0x4040);

  /** F16 0.5, 1, -1, 2 (0x3800, 0x3C00, 0xBC00, 0x4000), whole on rank 1. */
  static final byte[] HALF_F16 = words(0x3800, 0x3C00, 0xBC00, 0x4000);

  /** I64 3 and -1, whole on rank 0. */
  static final byte[] STEPS_I64 = {3, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1};

  /** U8 1, 0, 255, whole on rank 1. */
  static final byte[] MASK_U8 = {1, 0, (byte) 255};

  static final String MOMENT = CheckpointIndex.expAvg("w");

  /**
   * Writes and commits the two-rank version in {@code dir}: w split by rows, its moment by columns
   * (1 and 5), the BF16 bias by halves, and whole tensors of F16, I64 and U8.
   */
  static CheckpointIndex writeTwoRanks(FileSystem fs, Path dir, long maxFileBytes)
      throws IOException {
    CheckpointWriter writer = new CheckpointWriter(fs, dir, maxFileBytes);
    long[] wShape = {4, 6};
    List<CheckpointWriter.Written> written = new ArrayList<>();
    written.addAll(
        writer.writeRank(
            0,
            Map.of(
                "w",
                new Fragment(wShape, new long[] {0, 0}, wRows(0, 2)),
                MOMENT,
                new Fragment(wShape, new long[] {0, 0}, momentColumns(0, 1)),
                "b",
                new Fragment(
                    new long[] {4},
                    new long[] {0},
                    new TensorBytes(
                        TensorDtype.BF16, new long[] {2}, java.util.Arrays.copyOf(BIAS_BF16, 4))),
                "steps",
                Fragment.whole(new TensorBytes(TensorDtype.I64, new long[] {2}, STEPS_I64)))));
    written.addAll(
        writer.writeRank(
            1,
            Map.of(
                "w",
                new Fragment(wShape, new long[] {2, 0}, wRows(2, 4)),
                MOMENT,
                new Fragment(wShape, new long[] {0, 1}, momentColumns(1, 6)),
                "b",
                new Fragment(
                    new long[] {4},
                    new long[] {2},
                    new TensorBytes(
                        TensorDtype.BF16,
                        new long[] {2},
                        java.util.Arrays.copyOfRange(BIAS_BF16, 4, 8))),
                "h",
                Fragment.whole(new TensorBytes(TensorDtype.F16, new long[] {2, 2}, HALF_F16)),
                "mask",
                Fragment.whole(new TensorBytes(TensorDtype.U8, new long[] {3}, MASK_U8)))));
    return writer.commit(INFO, written);
  }
}
