package dev.rlflow.model.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * One pre-norm decoder block of Llama/Qwen2: {@code h = x + attn(norm1(x)); y = h + mlp(norm2(h))}.
 * Inputs and outputs as {@link Attention}'s.
 */
final class DecoderLayer extends AbstractBlock {
  private final RmsNorm inputNorm;
  private final Attention attention;
  private final RmsNorm postAttentionNorm;
  private final SwiGluMlp mlp;

  DecoderLayer(dev.rlflow.model.ModelConfig config) {
    inputNorm =
        addChildBlock("input_layernorm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
    attention =
        addChildBlock(
            "self_attn",
            new Attention(
                config.hiddenSize(),
                config.numHeads(),
                config.numKvHeads(),
                config.attentionBias()));
    postAttentionNorm =
        addChildBlock(
            "post_attention_layernorm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
    mlp = addChildBlock("mlp", new SwiGluMlp(config.hiddenSize(), config.intermediateSize()));
  }

  void specs(String prefix, List<Weights.Spec> out) {
    inputNorm.specs(prefix + "input_layernorm.", out);
    attention.specs(prefix + "self_attn.", out);
    postAttentionNorm.specs(prefix + "post_attention_layernorm.", out);
    mlp.specs(prefix + "mlp.", out);
  }

  NDList forward(
      ParameterStore ps,
      NDArray x,
      Rotary rotary,
      NDArray bias,
      NDArray pastK,
      NDArray pastV,
      boolean training) {
    NDList attended =
        attention.forward(
            ps, inputNorm.forward(ps, x, training), rotary, bias, pastK, pastV, training);
    NDArray h = x.add(attended.get(0)); // (B, T, C)
    NDArray y = h.add(mlp.forward(ps, postAttentionNorm.forward(ps, h, training), training));
    return new NDList(y, attended.get(1), attended.get(2));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    boolean cached = inputs.size() > 4;
    return forward(
        ps,
        inputs.get(0),
        new Rotary(inputs.get(1), inputs.get(2)),
        inputs.get(3),
        cached ? inputs.get(4) : null,
        cached ? inputs.get(5) : null,
        training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return attention.getOutputShapes(inputShapes);
  }
}
