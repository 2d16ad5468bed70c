package dev.rlflow.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.ModelInput;
import java.util.Arrays;
import java.util.List;

/**
 * Token sequences of different lengths laid out as one (B, L) batch, padded on the left or the
 * right with token 0 and a 0 in the valid mask. The model derives positions from the mask, so both
 * layouts give the same outputs at real tokens.
 */
final class PaddedBatch {
  private final int rows;
  private final int width;
  private final long[] tokens; // (B, L)
  private final float[] valid; // (B, L), 1 at real tokens
  private final int[] last; // (B), column of each row's last real token

  private PaddedBatch(int rows, int width, long[] tokens, float[] valid, int[] last) {
    this.rows = rows;
    this.width = width;
    this.tokens = tokens;
    this.valid = valid;
    this.last = last;
  }

  static PaddedBatch of(List<int[]> sequences, GenerationEngine.Padding padding) {
    int rows = sequences.size();
    int width = sequences.stream().mapToInt(s -> s.length).max().orElse(0);
    long[] tokens = new long[rows * width];
    float[] valid = new float[rows * width];
    int[] last = new int[rows];
    for (int b = 0; b < rows; b++) {
      int[] sequence = sequences.get(b);
      int start = padding == GenerationEngine.Padding.LEFT ? width - sequence.length : 0;
      for (int t = 0; t < sequence.length; t++) {
        tokens[b * width + start + t] = sequence[t];
      }
      Arrays.fill(valid, b * width + start, b * width + start + sequence.length, 1f);
      last[b] = start + sequence.length - 1;
    }
    return new PaddedBatch(rows, width, tokens, valid, last);
  }

  int width() {
    return width;
  }

  /** The model inputs, created in {@code manager}. */
  ModelInput input(NDManager manager, DataType dtype) {
    Shape shape = new Shape(rows, width);
    return ModelInput.of(manager.create(tokens, shape), manager.create(valid, shape), dtype);
  }

  /** Copies row {@code b}'s valid mask (L) into {@code target} at {@code offset}. */
  void copyValid(int b, float[] target, int offset) {
    System.arraycopy(valid, b * width, target, offset, width);
  }

  /** The logits at each row's last real token: (B, L, V) in, B rows of V floats out. */
  float[][] lastLogits(NDArray logits) {
    long v = logits.getShape().get(2);
    long[] flat = new long[rows];
    for (int b = 0; b < rows; b++) {
      flat[b] = (long) b * width + last[b];
    }
    NDArray picked =
        logits.reshape(rows * (long) width, v).get(logits.getManager().create(flat)); // (B, V)
    return GenerationEngine.rows(picked);
  }
}
