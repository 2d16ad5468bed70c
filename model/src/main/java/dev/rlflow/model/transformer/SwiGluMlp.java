package dev.rlflow.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * The SwiGLU feed-forward block (Shazeer 2020, arXiv 2002.05202) of Llama and Qwen2: {@code
 * down(silu(gate(x)) * up(x))}. Input and output: {@code [x (B, T, C)]}.
 */
final class SwiGluMlp extends AbstractBlock {
  private final int hidden;
  private final int intermediate;
  private final Parameter gate;
  private final Parameter up;
  private final Parameter down;

  SwiGluMlp(int hidden, int intermediate) {
    this.hidden = hidden;
    this.intermediate = intermediate;
    this.gate = addParameter(Weights.parameter("gate_proj.weight", Weights.Init.NORMAL));
    this.up = addParameter(Weights.parameter("up_proj.weight", Weights.Init.NORMAL));
    this.down = addParameter(Weights.parameter("down_proj.weight", Weights.Init.NORMAL));
  }

  void specs(String prefix, List<Weights.Spec> out) {
    out.add(spec(prefix, gate, new Shape(intermediate, hidden)));
    out.add(spec(prefix, up, new Shape(intermediate, hidden)));
    out.add(spec(prefix, down, new Shape(hidden, intermediate)));
  }

  private static Weights.Spec spec(String prefix, Parameter p, Shape shape) {
    return new Weights.Spec(prefix + p.getName(), shape, Weights.Init.NORMAL, p);
  }

  NDArray forward(ParameterStore ps, NDArray x, boolean training) {
    NDArray g = Linear.linear(x, ps.getValue(gate, x.getDevice(), training)).head(); // (B, T, I)
    NDArray u = Linear.linear(x, ps.getValue(up, x.getDevice(), training)).head(); // (B, T, I)
    NDArray h = Activation.sigmoid(g).mul(g).mul(u); // silu(g) * u
    return Linear.linear(h, ps.getValue(down, x.getDevice(), training)).head(); // (B, T, C)
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
