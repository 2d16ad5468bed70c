package dev.rlflow.model.checkpoint;

import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.ModelConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The Hugging Face parameter names and shapes of a Llama/Qwen2 model: the single source of
 * parameter names, used by checkpoint IO and by the model code alike, and the check of a
 * checkpoint's tensors against them ({@link #mismatch}).
 *
 * <p>Sizes below: C = hidden size, H = attention heads, G = key/value heads, D = C / H, I =
 * intermediate size, V = vocabulary.
 */
public final class HfLayout {

  /** Token embeddings, (V, C). */
  public static final String EMBED_TOKENS = "model.embed_tokens.weight";

  /** Scale of the final RMSNorm, (C). */
  public static final String FINAL_NORM = "model.norm.weight";

  /** LM head, (V, C); absent when the embeddings are tied. */
  public static final String LM_HEAD = "lm_head.weight";

  /** Value (critic) head weight, (1, C). */
  public static final String VALUE_HEAD_WEIGHT = "value_head.weight";

  /** Value (critic) head bias, (1). */
  public static final String VALUE_HEAD_BIAS = "value_head.bias";

  /** Step-score (PRM) head weight, (2, C): logits of a bad and a good step. */
  public static final String STEP_SCORE_WEIGHT = "score.weight";

  /** Step-score (PRM) head bias, (2). */
  public static final String STEP_SCORE_BIAS = "score.bias";

  private HfLayout() {}

  /**
   * The parameters of one decoder block, in forward order; names are {@code model.layers.{i}.*}.
   */
  public enum LayerParameter {
    /** RMSNorm scale before attention, (C). */
    INPUT_LAYERNORM("input_layernorm.weight", c -> new Shape(c.hiddenSize())),
    /** Query projection, (H*D, C). */
    Q_PROJ_WEIGHT("self_attn.q_proj.weight", c -> new Shape(queryWidth(c), c.hiddenSize())),
    /** Query bias, (H*D); Qwen2 only. */
    Q_PROJ_BIAS("self_attn.q_proj.bias", c -> new Shape(queryWidth(c))),
    /** Key projection, (G*D, C). */
    K_PROJ_WEIGHT("self_attn.k_proj.weight", c -> new Shape(keyValueWidth(c), c.hiddenSize())),
    /** Key bias, (G*D); Qwen2 only. */
    K_PROJ_BIAS("self_attn.k_proj.bias", c -> new Shape(keyValueWidth(c))),
    /** Value projection, (G*D, C). */
    V_PROJ_WEIGHT("self_attn.v_proj.weight", c -> new Shape(keyValueWidth(c), c.hiddenSize())),
    /** Value bias, (G*D); Qwen2 only. */
    V_PROJ_BIAS("self_attn.v_proj.bias", c -> new Shape(keyValueWidth(c))),
    /** Attention output projection, (C, H*D). */
    O_PROJ_WEIGHT("self_attn.o_proj.weight", c -> new Shape(c.hiddenSize(), queryWidth(c))),
    /** RMSNorm scale before the MLP, (C). */
    POST_ATTENTION_LAYERNORM("post_attention_layernorm.weight", c -> new Shape(c.hiddenSize())),
    /** SwiGLU gate projection, (I, C). */
    GATE_PROJ_WEIGHT("mlp.gate_proj.weight", c -> new Shape(c.intermediateSize(), c.hiddenSize())),
    /** SwiGLU up projection, (I, C). */
    UP_PROJ_WEIGHT("mlp.up_proj.weight", c -> new Shape(c.intermediateSize(), c.hiddenSize())),
    /** SwiGLU down projection, (C, I). */
    DOWN_PROJ_WEIGHT("mlp.down_proj.weight", c -> new Shape(c.hiddenSize(), c.intermediateSize()));

    private final String suffix;
    private final Function<ModelConfig, Shape> shape;

    LayerParameter(String suffix, Function<ModelConfig, Shape> shape) {
      this.suffix = suffix;
      this.shape = shape;
    }

    /** The Hugging Face name of this parameter in block {@code layer}. */
    public String nameIn(int layer) {
      return "model.layers." + layer + "." + suffix;
    }

    /** The shape of this parameter under {@code config}. */
    public Shape shape(ModelConfig config) {
      return shape.apply(config);
    }

    /** Whether a model of {@code config} has this parameter (the biases exist in Qwen2 only). */
    public boolean presentIn(ModelConfig config) {
      boolean bias = this == Q_PROJ_BIAS || this == K_PROJ_BIAS || this == V_PROJ_BIAS;
      return !bias || config.attentionBias();
    }
  }

  /**
   * The backbone's parameters under {@code config}, plus {@link #LM_HEAD} when the embeddings are
   * not tied, by name in model order: embeddings, blocks 0.., final norm, LM head.
   */
  public static Map<String, Shape> expectedShapes(ModelConfig config) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put(EMBED_TOKENS, new Shape(config.vocabSize(), config.hiddenSize()));
    for (int layer = 0; layer < config.numLayers(); layer++) {
      for (LayerParameter parameter : LayerParameter.values()) {
        if (parameter.presentIn(config)) {
          shapes.put(parameter.nameIn(layer), parameter.shape(config));
        }
      }
    }
    shapes.put(FINAL_NORM, new Shape(config.hiddenSize()));
    if (!config.tieEmbeddings()) {
      shapes.put(LM_HEAD, new Shape(config.vocabSize(), config.hiddenSize()));
    }
    return Collections.unmodifiableMap(shapes);
  }

  /**
   * The value (critic) head: {@link #VALUE_HEAD_WEIGHT} (1, C) and {@link #VALUE_HEAD_BIAS} (1).
   */
  public static Map<String, Shape> valueHeadShapes(ModelConfig config) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put(VALUE_HEAD_WEIGHT, new Shape(1, config.hiddenSize()));
    shapes.put(VALUE_HEAD_BIAS, new Shape(1));
    return Collections.unmodifiableMap(shapes);
  }

  /**
   * The step-score (PRM) head: {@link #STEP_SCORE_WEIGHT} (2, C) and {@link #STEP_SCORE_BIAS} (2).
   */
  public static Map<String, Shape> stepScoreHeadShapes(ModelConfig config) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put(STEP_SCORE_WEIGHT, new Shape(2, config.hiddenSize()));
    shapes.put(STEP_SCORE_BIAS, new Shape(2));
    return Collections.unmodifiableMap(shapes);
  }

  private static long queryWidth(ModelConfig c) {
    return (long) c.numHeads() * c.headDim();
  }

  private static long keyValueWidth(ModelConfig c) {
    return (long) c.numKvHeads() * c.headDim();
  }

  /** A tensor that does not fit the layout, and why. */
  record Mismatch(String tensor, String problem) {}

  /**
   * The first way {@code shapes} differ from what a model of {@code config} holds: a backbone
   * tensor missing or misshapen, a head incomplete or misshapen, or a tensor no such model has.
   */
  static Optional<Mismatch> mismatch(ModelConfig config, Map<String, Shape> shapes) {
    Map<String, Shape> expected = expectedShapes(config);
    // A critic or PRM checkpoint carries its own head instead of the LM head (as a Hugging Face
    // token-classification model does), also when the embeddings are untied.
    boolean otherHead =
        shapes.containsKey(VALUE_HEAD_WEIGHT) || shapes.containsKey(STEP_SCORE_WEIGHT);
    for (Map.Entry<String, Shape> parameter : expected.entrySet()) {
      Shape shape = shapes.get(parameter.getKey());
      if (shape == null && otherHead && parameter.getKey().equals(LM_HEAD)) {
        continue;
      }
      if (shape == null) {
        return Optional.of(
            new Mismatch(
                parameter.getKey(),
                "missing, though config.json expects shape "
                    + SafetensorsHeader.shapeString(parameter.getValue())));
      }
      if (!shape.equals(parameter.getValue())) {
        return Optional.of(wrongShape(parameter.getKey(), shape, parameter.getValue()));
      }
    }
    for (Map<String, Shape> head : List.of(valueHeadShapes(config), stepScoreHeadShapes(config))) {
      boolean any = head.keySet().stream().anyMatch(shapes::containsKey);
      for (Map.Entry<String, Shape> parameter : head.entrySet()) {
        Shape shape = shapes.get(parameter.getKey());
        if (any && shape == null) {
          return Optional.of(
              new Mismatch(
                  parameter.getKey(),
                  "missing, though the rest of its head is present (expected shape "
                      + SafetensorsHeader.shapeString(parameter.getValue())
                      + ")"));
        }
        if (shape != null && !shape.equals(parameter.getValue())) {
          return Optional.of(wrongShape(parameter.getKey(), shape, parameter.getValue()));
        }
      }
    }
    for (String name : new TreeSet<>(shapes.keySet())) {
      if (!expected.containsKey(name)
          && !valueHeadShapes(config).containsKey(name)
          && !stepScoreHeadShapes(config).containsKey(name)) {
        return Optional.of(
            new Mismatch(
                name,
                "unexpected: not a parameter of a "
                    + config.architecture().name().toLowerCase(Locale.ROOT)
                    + " model with "
                    + (config.tieEmbeddings() ? "tied" : "untied")
                    + " embeddings and "
                    + config.numLayers()
                    + " layers"));
      }
    }
    return Optional.empty();
  }

  private static Mismatch wrongShape(String name, Shape found, Shape expected) {
    return new Mismatch(
        name,
        "shape "
            + SafetensorsHeader.shapeString(found)
            + " does not match "
            + SafetensorsHeader.shapeString(expected)
            + " expected by config.json");
  }

  /** The names in {@code shapes} (already checked) in model order, heads last. */
  static List<String> order(ModelConfig config, Map<String, Shape> shapes) {
    List<String> order = new ArrayList<>(expectedShapes(config).keySet());
    order.retainAll(shapes.keySet()); // the LM head is absent from critic and PRM checkpoints
    Stream.concat(
            valueHeadShapes(config).keySet().stream(),
            stepScoreHeadShapes(config).keySet().stream())
        .filter(shapes::containsKey)
        .forEach(order::add);
    return order;
  }
}
