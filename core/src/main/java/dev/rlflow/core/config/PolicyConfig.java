package dev.rlflow.core.config;

import java.util.List;
import java.util.Optional;

/**
 * The {@code policy} section: the language model that is trained, its architecture and size (or the
 * checkpoint it starts from), its tokenizer and where it runs. Defaults are the {@code tiny} CPU
 * model (about 1.6 M parameters with the character tokenizer).
 *
 * @param checkpoint a Hugging Face layout directory (config.json + safetensors) to start from; when
 *     set, its config.json decides the architecture and the size keys are ignored
 * @param architecture the decoder family
 * @param hiddenSize width of the residual stream
 * @param numLayers decoder blocks
 * @param numHeads query heads
 * @param numKvHeads key/value heads (grouped-query attention)
 * @param intermediateSize SwiGLU hidden width
 * @param maxSeqLen longest prompt + response in tokens
 * @param tieEmbeddings share the token embedding with the LM head
 * @param tokenizer {@code char} or the path of a tokenizer.json
 * @param device where model compute runs
 * @param dtype the compute precision
 */
public record PolicyConfig(
    Optional<String> checkpoint,
    Architecture architecture,
    int hiddenSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int intermediateSize,
    int maxSeqLen,
    boolean tieEmbeddings,
    String tokenizer,
    Device device,
    Dtype dtype) {

  /** Decoder families whose Hugging Face checkpoints rlflow reads and writes. */
  public enum Architecture {
    /** Llama: no attention biases. */
    LLAMA,
    /** Qwen2: biases on the q, k and v projections. */
    QWEN2
  }

  /** Where model compute runs. */
  public enum Device {
    /** A GPU when one is visible to the process, else the CPU. */
    AUTO,
    CPU,
    GPU
  }

  /** Compute precision; DJL 0.35.1 has no bfloat16 (DESIGN.md §1). */
  public enum Dtype {
    /** FP32 on CPU, FP16 on GPU (FP32 master weights stay with the trainer). */
    AUTO,
    FP32,
    FP16
  }

  static final ConfigOption<String> CHECKPOINT =
      ConfigOption.optional(
          "policy.checkpoint",
          ValueType.STRING,
          Rule.nonEmpty(),
          "A Hugging Face checkpoint directory (config.json + model.safetensors) to start from."
              + " When set, its config.json gives the architecture and size.");
  static final ConfigOption<Architecture> ARCHITECTURE =
      ConfigOption.of(
          "policy.architecture",
          ValueType.ofEnum(Architecture.class),
          Architecture.LLAMA,
          Rule.any(),
          "Decoder family: llama or qwen2 (q/k/v biases).");
  static final ConfigOption<Integer> HIDDEN_SIZE =
      ConfigOption.of(
          "policy.hidden_size", ValueType.INT, 192, Rule.atLeast(8), "Residual stream width.");
  static final ConfigOption<Integer> NUM_LAYERS =
      ConfigOption.of(
          "policy.num_layers", ValueType.INT, 4, Rule.atLeast(1), "Number of decoder blocks.");
  static final ConfigOption<Integer> NUM_HEADS =
      ConfigOption.of(
          "policy.num_heads", ValueType.INT, 6, Rule.atLeast(1), "Attention (query) heads.");
  static final ConfigOption<Integer> NUM_KV_HEADS =
      ConfigOption.of(
          "policy.num_kv_heads",
          ValueType.INT,
          2,
          Rule.atLeast(1),
          "Key/value heads; fewer than num_heads gives grouped-query attention.");
  static final ConfigOption<Integer> INTERMEDIATE_SIZE =
      ConfigOption.of(
          "policy.intermediate_size",
          ValueType.INT,
          512,
          Rule.atLeast(1),
          "Hidden width of the SwiGLU MLP.");
  static final ConfigOption<Integer> MAX_SEQ_LEN =
      ConfigOption.of(
          "policy.max_seq_len",
          ValueType.INT,
          256,
          Rule.atLeast(8),
          "Longest prompt plus response, in tokens.");
  static final ConfigOption<Boolean> TIE_EMBEDDINGS =
      ConfigOption.of(
          "policy.tie_embeddings",
          ValueType.BOOLEAN,
          true,
          Rule.any(),
          "Share the token embedding matrix with the LM head.");
  static final ConfigOption<String> TOKENIZER =
      ConfigOption.of(
          "policy.tokenizer",
          ValueType.STRING,
          "char",
          Rule.nonEmpty(),
          "char (the built-in character tokenizer for arith) or the path of a tokenizer.json.");
  static final ConfigOption<Device> DEVICE =
      ConfigOption.of(
          "policy.device",
          ValueType.ofEnum(Device.class),
          Device.AUTO,
          Rule.any(),
          "auto, cpu or gpu. In embedded mode the run config decides; on a cluster, the"
              + " TaskManager's external GPU resources.");
  static final ConfigOption<Dtype> DTYPE =
      ConfigOption.of(
          "policy.dtype",
          ValueType.ofEnum(Dtype.class),
          Dtype.AUTO,
          Rule.any(),
          "auto (fp32 on CPU, fp16 on GPU), fp32 or fp16.");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(
          CHECKPOINT,
          ARCHITECTURE,
          HIDDEN_SIZE,
          NUM_LAYERS,
          NUM_HEADS,
          NUM_KV_HEADS,
          INTERMEDIATE_SIZE,
          MAX_SEQ_LEN,
          TIE_EMBEDDINGS,
          TOKENIZER,
          DEVICE,
          DTYPE);

  static PolicyConfig from(ConfigValues v) {
    return new PolicyConfig(
        v.optional(CHECKPOINT),
        v.get(ARCHITECTURE),
        v.get(HIDDEN_SIZE),
        v.get(NUM_LAYERS),
        v.get(NUM_HEADS),
        v.get(NUM_KV_HEADS),
        v.get(INTERMEDIATE_SIZE),
        v.get(MAX_SEQ_LEN),
        v.get(TIE_EMBEDDINGS),
        v.get(TOKENIZER),
        v.get(DEVICE),
        v.get(DTYPE));
  }

  /** Width of one attention head. */
  public int headDim() {
    return hiddenSize / numHeads;
  }

  void validate(List<String> problems) {
    if (hiddenSize % numHeads != 0) {
      problems.add(
          Problems.invalid(
              HIDDEN_SIZE, hiddenSize, "be a multiple of policy.num_heads (" + numHeads + ")"));
    } else if (headDim() % 2 != 0) {
      problems.add(
          Problems.invalid(
              HIDDEN_SIZE,
              hiddenSize,
              "give an even head size (hidden_size / num_heads = "
                  + headDim()
                  + ") for rotary embeddings"));
    }
    if (numHeads % numKvHeads != 0) {
      problems.add(
          Problems.invalid(NUM_KV_HEADS, numKvHeads, "divide policy.num_heads (" + numHeads + ")"));
    }
  }
}
