package dev.rlflow.model;

import dev.rlflow.core.config.PolicyConfig;
import java.util.Locale;

/**
 * The shape of a decoder-only transformer of the Llama/Qwen2 family: everything needed to build its
 * parameters, and what a Hugging Face {@code config.json} records.
 *
 * @param architecture llama (no attention biases) or qwen2 (biases on q, k and v)
 * @param vocabSize tokens in the vocabulary
 * @param hiddenSize width of the residual stream, C
 * @param numLayers decoder blocks
 * @param numHeads query heads, H
 * @param numKvHeads key/value heads, G (H % G == 0: grouped-query attention)
 * @param intermediateSize SwiGLU hidden width
 * @param maxSeqLen longest sequence (rotary tables are precomputed to this length)
 * @param ropeTheta rotary base frequency
 * @param rmsNormEps epsilon of RMSNorm
 * @param tieEmbeddings the LM head reuses the token embedding matrix
 */
public record ModelConfig(
    PolicyConfig.Architecture architecture,
    int vocabSize,
    int hiddenSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int intermediateSize,
    int maxSeqLen,
    double ropeTheta,
    double rmsNormEps,
    boolean tieEmbeddings) {

  public ModelConfig {
    require(vocabSize >= 2, "vocabSize", vocabSize, ">= 2");
    require(hiddenSize >= 2, "hiddenSize", hiddenSize, ">= 2");
    require(numLayers >= 1, "numLayers", numLayers, ">= 1");
    require(numHeads >= 1 && hiddenSize % numHeads == 0, "numHeads", numHeads, "divide hiddenSize");
    require((hiddenSize / numHeads) % 2 == 0, "hiddenSize", hiddenSize, "give an even head size");
    require(
        numKvHeads >= 1 && numHeads % numKvHeads == 0, "numKvHeads", numKvHeads, "divide numHeads");
    require(intermediateSize >= 1, "intermediateSize", intermediateSize, ">= 1");
    require(maxSeqLen >= 1, "maxSeqLen", maxSeqLen, ">= 1");
    require(ropeTheta > 0, "ropeTheta", ropeTheta, "> 0");
    require(rmsNormEps > 0, "rmsNormEps", rmsNormEps, "> 0");
  }

  /** Named sizes for benchmarks and tests. */
  public enum Preset {
    /** About 1.6 M parameters (plus embeddings): the CPU default. */
    TINY(192, 4, 6, 2, 512),
    /** About 25 M parameters (plus embeddings). */
    SMALL(512, 8, 8, 4, 1536);

    final int hidden;
    final int layers;
    final int heads;
    final int kvHeads;
    final int intermediate;

    Preset(int hidden, int layers, int heads, int kvHeads, int intermediate) {
      this.hidden = hidden;
      this.layers = layers;
      this.heads = heads;
      this.kvHeads = kvHeads;
      this.intermediate = intermediate;
    }

    /** The preset for a vocabulary, Llama style, tied embeddings, 256 positions. */
    public ModelConfig config(int vocabSize) {
      return new ModelConfig(
          PolicyConfig.Architecture.LLAMA,
          vocabSize,
          hidden,
          layers,
          heads,
          kvHeads,
          intermediate,
          256,
          10_000.0,
          1e-5,
          true);
    }

    /** {@code tiny} or {@code small}, case-insensitive. */
    public static Preset of(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Invalid value " + name + " for preset: must be tiny or small", e);
      }
    }
  }

  /** The model a run configuration describes, for a tokenizer's vocabulary. */
  public static ModelConfig of(PolicyConfig policy, int vocabSize) {
    return new ModelConfig(
        policy.architecture(),
        vocabSize,
        policy.hiddenSize(),
        policy.numLayers(),
        policy.numHeads(),
        policy.numKvHeads(),
        policy.intermediateSize(),
        policy.maxSeqLen(),
        10_000.0,
        1e-5,
        policy.tieEmbeddings());
  }

  /** Width of one attention head, D = C / H. */
  public int headDim() {
    return hiddenSize / numHeads;
  }

  /** True for architectures with biases on the q, k and v projections (Qwen2). */
  public boolean attentionBias() {
    return architecture == PolicyConfig.Architecture.QWEN2;
  }

  /** Parameters of the backbone and LM head (the count Hugging Face reports). */
  public long parameterCount() {
    long c = hiddenSize;
    long kv = (long) numKvHeads * headDim();
    long attention = c * c * 2 + c * kv * 2 + (attentionBias() ? c + 2 * kv : 0);
    long mlp = 3 * c * intermediateSize;
    long norms = 2 * c;
    long embeddings = (long) vocabSize * c;
    long head = tieEmbeddings ? 0 : embeddings;
    return embeddings + numLayers * (attention + mlp + norms) + c + head;
  }

  /**
   * Matmul FLOPs of one token's forward pass: 2 per multiply-add of every weight, plus attention
   * scores and mixing over {@code contextLength} positions (Kaplan et al. 2020, C_forward).
   */
  public double forwardFlopsPerToken(int contextLength) {
    long c = hiddenSize;
    long kv = (long) numKvHeads * headDim();
    double weights =
        numLayers * (c * c * 2 + c * kv * 2 + 3 * c * intermediateSize) + (long) vocabSize * c;
    double attention = (double) numLayers * 2 * contextLength * c;
    return 2 * weights + 2 * attention;
  }

  private static void require(boolean ok, String field, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(
          "Invalid value " + value + " for " + field + ": must be " + rule);
    }
  }
}
