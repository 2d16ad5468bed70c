package dev.rlflow.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * RMSNorm (Zhang and Sennrich 2019, arXiv 1910.07467): {@code y = x / sqrt(mean(x^2) + eps) * g},
 * over the last axis. Input and output: {@code [x (..., C)]}.
 */
final class RmsNorm extends AbstractBlock {
  private final int size;
  private final float eps;
  private final Parameter gain;

  RmsNorm(int size, double eps) {
    this.size = size;
    this.eps = (float) eps;
    this.gain = addParameter(Weights.parameter("weight", Weights.Init.ONES));
  }

  void specs(String prefix, List<Weights.Spec> out) {
    out.add(new Weights.Spec(prefix + "weight", new Shape(size), Weights.Init.ONES, gain));
  }

  NDArray forward(ParameterStore ps, NDArray x, boolean training) {
    NDArray g = ps.getValue(gain, x.getDevice(), training);
    NDArray meanSquare = x.square().mean(new int[] {-1}, true); // (..., 1)
    return x.div(meanSquare.add(eps).sqrt()).mul(g);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(ps, inputs.head(), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
