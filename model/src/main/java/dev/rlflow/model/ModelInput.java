package dev.rlflow.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The inputs of one forward pass over T new positions per sequence, after P cached ones.
 *
 * @param tokens token ids (B, T), int64
 * @param positions rotary position of each token (B, T), int64: its index among the sequence's real
 *     (non-padding) tokens, so left and right padding give the same positions
 * @param attentionBias additive mask (B, 1, T, P + T): 0 where a token may attend, a large negative
 *     number where it may not (future positions and padding)
 */
public record ModelInput(NDArray tokens, NDArray positions, NDArray attentionBias) {

  /**
   * Inputs for {@code tokens} (B, T) following {@code past} cached positions, with {@code valid}
   * (B, P + T) marking real tokens (1) and padding (0) over all positions.
   */
  public static ModelInput of(NDArray tokens, NDArray valid, DataType dtype) {
    NDManager manager = tokens.getManager();
    long b = tokens.getShape().get(0);
    long t = tokens.getShape().get(1);
    long s = valid.getShape().get(1);
    long past = s - t;
    if (past < 0 || valid.getShape().get(0) != b) {
      throw new IllegalArgumentException(
          "valid " + valid.getShape() + " must be (B, P + T) for tokens " + tokens.getShape());
    }
    NDArray validLong = valid.toType(DataType.INT64, false);
    NDArray positions = validLong.cumSum(1).sub(1).maximum(0).get(":, {}:", past); // (B, T)
    float[] causal = new float[(int) (t * s)];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j <= past + i; j++) {
        causal[(int) (i * s + j)] = 1f;
      }
    }
    NDArray allowed =
        manager
            .create(causal, new Shape(1, 1, t, s))
            .mul(valid.toType(DataType.FLOAT32, false).reshape(b, 1, 1, s)); // (B, 1, T, S)
    float masked = dtype == DataType.FLOAT16 ? -1e4f : -1e9f; // finite: no NaN on empty rows
    NDArray bias = allowed.sub(1f).mul(-masked).toType(dtype, false);
    // A libtorch-owned copy: the embedding's backward keeps the ids, and arrays DJL creates from
    // Java data live in Java memory that autograd does not keep alive.
    // (duplicate() is a real copy; DJL's toType(same type, copy=true) shares the memory.)
    return new ModelInput(tokens.toType(DataType.INT64, false).duplicate(), positions, bias);
  }
}
