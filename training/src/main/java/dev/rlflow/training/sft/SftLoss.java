package dev.rlflow.training.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * Token cross-entropy of next-token logits against target ids, counted only where a mask is 1: the
 * loss of supervised fine-tuning on response tokens.
 *
 * <p>The target's log-probability is gathered from the log-softmax ({@code NDArray.gather} along
 * the vocabulary axis, differentiable on PyTorch) rather than multiplied with a one-hot (B, T, V)
 * array, which would double the memory of the logits for large vocabularies. Masked positions are
 * selected away, never multiplied by zero: a {@code -inf} log-probability there would otherwise
 * turn the sum into NaN ({@code 0 * -inf}).
 */
public final class SftLoss {

  private SftLoss() {}

  /**
   * The negative log-likelihood of each target, {@code -log softmax(logits)[target]} where {@code
   * mask} is positive and exactly 0 elsewhere, (B, T) float32.
   *
   * @param logits next-token logits (B, T, V), any floating type (computed in float32)
   * @param targets target ids (B, T), integer, each in [0, V) also where masked (use the pad id)
   * @param mask (B, T), 1 on counted positions and 0 elsewhere
   */
  public static NDArray tokenLosses(NDArray logits, NDArray targets, NDArray mask) {
    NDArray logProbs = logits.toType(DataType.FLOAT32, false).logSoftmax(-1); // (B, T, V)
    NDArray index = targets.toType(DataType.INT64, false).expandDims(-1); // (B, T, 1)
    NDArray nll = logProbs.gather(index, -1).squeeze(-1).neg(); // (B, T)
    return NDArrays.where(mask.gt(0), nll, nll.zerosLike()); // (B, T)
  }

  /**
   * The mean of {@link #tokenLosses} over the counted positions, a scalar; 0 (with zero gradient)
   * when nothing is counted.
   */
  public static NDArray mean(NDArray logits, NDArray targets, NDArray mask) {
    NDArray count = mask.gt(0).toType(DataType.FLOAT32, false).sum().maximum(1f); // ()
    return tokenLosses(logits, targets, mask).sum().div(count); // ()
  }
}
