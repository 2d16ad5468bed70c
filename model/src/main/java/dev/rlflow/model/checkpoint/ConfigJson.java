package dev.rlflow.model.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.config.PolicyConfig.Architecture;
import dev.rlflow.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A Hugging Face {@code config.json} as a {@link ModelConfig}, with the defaults of transformers'
 * {@code LlamaConfig} and {@code Qwen2Config} for absent keys. Keys this model family does not use
 * are ignored, except those that would change the computation (a RoPE scaling, an activation other
 * than SiLU, a head size other than C / H, sliding-window attention, Llama biases): loading such a
 * model silently would give wrong outputs, so they are rejected.
 */
final class ConfigJson {

  /** Python's json module writes NaN and Infinity; an ignored key holding one is no error. */
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private static final Map<String, Architecture> MODEL_TYPES =
      Map.of("llama", Architecture.LLAMA, "qwen2", Architecture.QWEN2);

  private ConfigJson() {}

  /** The model described by the {@code config.json} bytes {@code json}, read from {@code file}. */
  static ModelConfig parse(Path file, byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      // readTree(byte[]) reads no file: only a parse failure lands here.
      throw new CorruptCheckpointException(file, null, "not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CorruptCheckpointException(file, "not a JSON object");
    }
    ConfigJson.Reader r = new Reader(file, root);
    String modelType = r.string("model_type");
    Architecture architecture = MODEL_TYPES.get(modelType);
    if (architecture == null) {
      throw new CorruptCheckpointException(
          file, "model_type \"" + modelType + "\" is not supported (supported: llama, qwen2)");
    }
    int hidden = r.integer("hidden_size");
    int heads = r.integer("num_attention_heads");
    r.requireAbsentOr(
        "hidden_act", node -> node.isTextual() && node.textValue().equals("silu"), "\"silu\"");
    r.requireAbsentOr("rope_scaling", JsonNode::isNull, "null (no RoPE scaling)");
    r.requireAbsentOr(
        "head_dim",
        node -> heads > 0 && node.isIntegralNumber() && node.asLong() == hidden / heads,
        "hidden_size / num_attention_heads = " + (heads > 0 ? hidden / heads : "?"));
    r.requireAbsentOr(
        "use_sliding_window", node -> node.isBoolean() && !node.booleanValue(), "false");
    r.requireAbsentOr("mlp_bias", node -> node.isBoolean() && !node.booleanValue(), "false");
    if (architecture == Architecture.LLAMA) {
      r.requireAbsentOr(
          "attention_bias", node -> node.isBoolean() && !node.booleanValue(), "false");
    }
    try {
      return new ModelConfig(
          architecture,
          r.integer("vocab_size"),
          hidden,
          r.integer("num_hidden_layers"),
          heads,
          r.has("num_key_value_heads") ? r.integer("num_key_value_heads") : heads,
          r.integer("intermediate_size"),
          r.integer("max_position_embeddings"),
          r.has("rope_theta") ? r.number("rope_theta") : 10_000.0,
          r.has("rms_norm_eps") ? r.number("rms_norm_eps") : 1e-6,
          r.has("tie_word_embeddings") && r.bool("tie_word_embeddings"));
    } catch (IllegalArgumentException e) {
      throw new CorruptCheckpointException(file, null, e.getMessage(), e);
    }
  }

  /** The {@code config.json} bytes for {@code config}, weights stored as {@code dtype}. */
  static byte[] render(ModelConfig config, StoredDtype dtype) {
    boolean qwen = config.architecture() == Architecture.QWEN2;
    ObjectNode root = JSON.createObjectNode();
    root.putArray("architectures").add(qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
    root.put("model_type", qwen ? "qwen2" : "llama");
    root.put("hidden_act", "silu");
    root.put("vocab_size", config.vocabSize());
    root.put("hidden_size", config.hiddenSize());
    root.put("intermediate_size", config.intermediateSize());
    root.put("num_hidden_layers", config.numLayers());
    root.put("num_attention_heads", config.numHeads());
    root.put("num_key_value_heads", config.numKvHeads());
    root.put("max_position_embeddings", config.maxSeqLen());
    root.put("rope_theta", config.ropeTheta());
    root.put("rms_norm_eps", config.rmsNormEps());
    root.put("tie_word_embeddings", config.tieEmbeddings());
    if (!qwen) {
      root.put("attention_bias", false);
    }
    root.put("torch_dtype", dtype.torchDtype);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of numbers and strings always serializes", e);
    }
  }

  /** Typed access to the keys of one config file, each failure naming the key and the value. */
  private record Reader(Path file, JsonNode root) {

    boolean has(String key) {
      JsonNode node = root.get(key);
      return node != null && !node.isNull();
    }

    String string(String key) {
      JsonNode node = require(key);
      if (!node.isTextual()) {
        throw invalid(key, node, "a string");
      }
      return node.textValue();
    }

    int integer(String key) {
      JsonNode node = require(key);
      if (!node.isIntegralNumber() || !node.canConvertToInt()) {
        throw invalid(key, node, "an integer");
      }
      return node.intValue();
    }

    double number(String key) {
      JsonNode node = require(key);
      if (!node.isNumber()) {
        throw invalid(key, node, "a number");
      }
      return node.doubleValue();
    }

    boolean bool(String key) {
      JsonNode node = require(key);
      if (!node.isBoolean()) {
        throw invalid(key, node, "true or false");
      }
      return node.booleanValue();
    }

    void requireAbsentOr(String key, Predicate<JsonNode> ok, String rule) {
      JsonNode node = root.get(key);
      if (node != null && !node.isNull() && !ok.test(node)) {
        throw new CorruptCheckpointException(
            file,
            "Invalid value "
                + node
                + " for "
                + key
                + ": must be "
                + rule
                + " (this model family supports nothing else)");
      }
    }

    private JsonNode require(String key) {
      JsonNode node = root.get(key);
      if (node == null || node.isNull()) {
        throw new CorruptCheckpointException(file, "missing key " + key);
      }
      return node;
    }

    private CorruptCheckpointException invalid(String key, JsonNode node, String rule) {
      return new CorruptCheckpointException(
          file, "Invalid value " + node + " for " + key + ": must be " + rule);
    }
  }
}
