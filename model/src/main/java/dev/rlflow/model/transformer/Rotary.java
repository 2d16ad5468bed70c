package dev.rlflow.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embeddings (Su et al. 2021, arXiv 2104.09864) in the "rotate half" layout of
 * Hugging Face Llama/Qwen2: dimension i pairs with i + D/2, rotated by angle {@code p *
 * theta^(-2i/D)} at position p.
 *
 * @param cos cos of every angle, (B, 1, T, D), both halves repeated
 * @param sin sin of every angle, (B, 1, T, D)
 */
record Rotary(NDArray cos, NDArray sin) {

  /** The rotation tables for {@code positions} (B, T) and head size {@code headDim}. */
  static Rotary of(NDArray positions, int headDim, double theta, DataType dtype) {
    int half = headDim / 2;
    float[] inverseFrequency = new float[half];
    for (int i = 0; i < half; i++) {
      inverseFrequency[i] = (float) Math.pow(theta, -2.0 * i / headDim);
    }
    NDArray invFreq = positions.getManager().create(inverseFrequency); // (D/2)
    // Angles in float32 whatever the model dtype: fp16 cannot hold position * frequency exactly.
    NDArray angles =
        positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq); // (B, T, D/2)
    NDArray full = NDArrays.concat(new ai.djl.ndarray.NDList(angles, angles), -1); // (B, T, D)
    NDArray cos = full.cos().toType(dtype, false).expandDims(1); // (B, 1, T, D)
    NDArray sin = full.sin().toType(dtype, false).expandDims(1);
    return new Rotary(cos, sin);
  }

  /** Rotates queries or keys {@code x} (B, heads, T, D). */
  NDArray apply(NDArray x) {
    long d = x.getShape().get(3);
    NDArray first = x.get(new NDIndex("..., :{}", d / 2));
    NDArray second = x.get(new NDIndex("..., {}:", d / 2));
    NDArray rotated = NDArrays.concat(new ai.djl.ndarray.NDList(second.neg(), first), -1);
    return x.mul(cos).add(rotated.mul(sin));
  }
}
