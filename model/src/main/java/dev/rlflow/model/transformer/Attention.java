package dev.rlflow.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * Causal self-attention with grouped-query heads (Ainslie et al. 2023, arXiv 2305.13245) and rotary
 * positions; H query heads share G key/value heads, query head h reading kv head h / (H/G) as
 * Hugging Face's {@code repeat_kv} does. Written as matmul + masked softmax: DJL 0.35.1 has no
 * fused attention.
 *
 * <p>Block inputs {@code [x (B,T,C), cos (B,1,T,D), sin (B,1,T,D), bias (B,1,T,S)]}, optionally
 * followed by the cached {@code [k (B,G,P,D), v (B,G,P,D)]} of P earlier positions (S = P + T);
 * outputs {@code [y (B,T,C), k (B,G,S,D), v (B,G,S,D)]}, the keys and values to cache.
 */
final class Attention extends AbstractBlock {
  private final int hidden;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final boolean bias;
  private final Parameter q;
  private final Parameter k;
  private final Parameter v;
  private final Parameter o;
  private final Parameter qBias;
  private final Parameter kBias;
  private final Parameter vBias;

  Attention(int hidden, int heads, int kvHeads, boolean bias) {
    this.hidden = hidden;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = hidden / heads;
    this.bias = bias;
    this.q = addParameter(Weights.parameter("q_proj.weight", Weights.Init.NORMAL));
    this.k = addParameter(Weights.parameter("k_proj.weight", Weights.Init.NORMAL));
    this.v = addParameter(Weights.parameter("v_proj.weight", Weights.Init.NORMAL));
    this.o = addParameter(Weights.parameter("o_proj.weight", Weights.Init.NORMAL));
    this.qBias = bias ? addParameter(Weights.parameter("q_proj.bias", Weights.Init.ZEROS)) : null;
    this.kBias = bias ? addParameter(Weights.parameter("k_proj.bias", Weights.Init.ZEROS)) : null;
    this.vBias = bias ? addParameter(Weights.parameter("v_proj.bias", Weights.Init.ZEROS)) : null;
  }

  void specs(String prefix, List<Weights.Spec> out) {
    int kvWidth = kvHeads * headDim;
    out.add(spec(prefix, q, new Shape(heads * headDim, hidden), Weights.Init.NORMAL));
    out.add(spec(prefix, k, new Shape(kvWidth, hidden), Weights.Init.NORMAL));
    out.add(spec(prefix, v, new Shape(kvWidth, hidden), Weights.Init.NORMAL));
    out.add(spec(prefix, o, new Shape(hidden, heads * headDim), Weights.Init.NORMAL));
    if (bias) {
      out.add(spec(prefix, qBias, new Shape(heads * headDim), Weights.Init.ZEROS));
      out.add(spec(prefix, kBias, new Shape(kvWidth), Weights.Init.ZEROS));
      out.add(spec(prefix, vBias, new Shape(kvWidth), Weights.Init.ZEROS));
    }
  }

  private static Weights.Spec spec(String prefix, Parameter p, Shape shape, Weights.Init init) {
    return new Weights.Spec(prefix + p.getName(), shape, init, p);
  }

  /** Attention over the cache and the new positions; returns y and the keys/values to cache. */
  NDList forward(
      ParameterStore ps,
      NDArray x,
      Rotary rotary,
      NDArray attentionBias,
      NDArray pastK,
      NDArray pastV,
      boolean training) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    int group = heads / kvHeads;
    NDArray query = project(ps, x, q, qBias, heads, training); // (B, H, T, D)
    NDArray key = project(ps, x, k, kBias, kvHeads, training); // (B, G, T, D)
    NDArray value = project(ps, x, v, vBias, kvHeads, training); // (B, G, T, D)
    query = rotary.apply(query);
    key = rotary.apply(key);
    if (pastK != null) {
      key = NDArrays.concat(new NDList(pastK, key), 2); // (B, G, S, D)
      value = NDArrays.concat(new NDList(pastV, value), 2);
    }
    long s = key.getShape().get(2);
    // Group the H query heads by the kv head they read, so K and V are never copied H/G times:
    // (B, H, T, D) -> (B, G, H/G * T, D).
    NDArray grouped = query.reshape(b, kvHeads, (long) group * t, headDim);
    // The scale is an array of the step's scope, not a Java number: DJL's div(Number) frees its
    // scalar at once while autograd keeps a pointer to it for the backward pass (DESIGN.md §1).
    NDArray scale =
        x.getManager().create((float) (1 / Math.sqrt(headDim))).toType(x.getDataType(), false);
    NDArray scores = grouped.matMul(key.transpose(0, 1, 3, 2)).mul(scale); // (B, G, H/G*T, S)
    scores = scores.reshape(b, heads, t, s).add(attentionBias); // (B, H, T, S)
    NDArray probs = scores.softmax(-1).reshape(b, kvHeads, (long) group * t, s);
    NDArray mixed = probs.matMul(value); // (B, G, H/G*T, D)
    NDArray merged =
        mixed.reshape(b, heads, t, headDim).transpose(0, 2, 1, 3).reshape(b, t, hidden);
    NDArray y = Linear.linear(merged, ps.getValue(o, x.getDevice(), training)).head(); // (B,T,C)
    return new NDList(y, key, value);
  }

  /** x (B, T, C) -> (B, n, T, D) through a projection with n heads. */
  private NDArray project(
      ParameterStore ps, NDArray x, Parameter weight, Parameter b, int n, boolean training) {
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    NDArray y =
        b == null
            ? Linear.linear(x, w).head()
            : Linear.linear(x, w, ps.getValue(b, x.getDevice(), training)).head();
    Shape shape = x.getShape();
    return y.reshape(shape.get(0), shape.get(1), n, headDim).transpose(0, 2, 1, 3);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    Rotary rotary = new Rotary(inputs.get(1), inputs.get(2));
    boolean cached = inputs.size() > 4;
    return forward(
        ps,
        inputs.get(0),
        rotary,
        inputs.get(3),
        cached ? inputs.get(4) : null,
        cached ? inputs.get(5) : null,
        training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape x = inputShapes[0];
    long past = inputShapes.length > 4 ? inputShapes[4].get(2) : 0;
    Shape kv = new Shape(x.get(0), kvHeads, past + x.get(1), headDim);
    return new Shape[] {x, kv, kv};
  }
}
