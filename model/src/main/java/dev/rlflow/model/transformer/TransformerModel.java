package dev.rlflow.model.transformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.rlflow.model.KvCache;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.ModelOutput;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A decoder-only transformer of the Llama/Qwen2 family with one head: the backbone (token
 * embedding, decoder layers, final RMSNorm) shared by every role, and an LM head (policy,
 * reference), a scalar value head (critic) or a 2-way step-score head (PRM).
 *
 * <p>Parameters carry their Hugging Face names ({@link #weights()}), so checkpoints are read and
 * written in the Hugging Face layout. The model owns its parameters' native memory; close it.
 *
 * <p>Block inputs {@code [tokens (B,T), positions (B,T), bias (B,1,T,S)]} followed by the cached
 * {@code k, v} of every layer; outputs {@code [head output, k, v of every layer]}.
 *
 * <p>Long because the whole forward pass (embedding, decoder layers with their KV cache, heads)
 * stays in one file to be read top to bottom, as nanoGPT's {@code model.py} is. Reading and writing
 * checkpoints is {@link ModelCheckpoint}'s.
 */
public final class TransformerModel extends AbstractBlock implements AutoCloseable {
  /** The head on top of the backbone. */
  public enum Head {
    /** Next-token logits (B, T, V); tied to the embedding when the config says so. */
    LM,
    /** One value per position (B, T): the critic. */
    VALUE,
    /** Two logits per position (B, T, 2), [incorrect, correct]: the process reward model. */
    STEP_SCORE
  }

  private static final float INIT_STD = 0.02f;

  private final ModelConfig config;
  private final Head head;
  private final DataType dtype;
  private final NDManager manager;
  private final ParameterStore store;
  private final Parameter embedding;
  private final List<DecoderLayer> layers = new ArrayList<>();
  private final RmsNorm norm;
  private final Parameter headWeight;
  private final Parameter headBias;
  private final Map<String, Weights.Spec> specs;

  private TransformerModel(ModelConfig config, Head head, DataType dtype, Device device) {
    this.config = config;
    this.head = head;
    this.dtype = dtype;
    this.manager = NDManager.newBaseManager(device);
    this.store = new ParameterStore(manager, false);
    this.embedding =
        addParameter(Weights.parameter("model.embed_tokens.weight", Weights.Init.NORMAL));
    for (int i = 0; i < config.numLayers(); i++) {
      layers.add(addChildBlock("layer" + i, new DecoderLayer(config)));
    }
    this.norm = addChildBlock("norm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
    boolean ownHead = head != Head.LM || !config.tieEmbeddings();
    this.headWeight =
        ownHead
            ? addParameter(Weights.parameter(headName() + ".weight", Weights.Init.NORMAL))
            : null;
    this.headBias =
        head == Head.LM
            ? null
            : addParameter(Weights.parameter(headName() + ".bias", Weights.Init.ZEROS));
    this.specs = collectSpecs();
  }

  /**
   * A new model with weights drawn from {@code seed}: N(0, 0.02) projections, unit norms, a value
   * head of zeros.
   */
  public static TransformerModel create(
      ModelConfig config, Head head, DataType dtype, Device device, long seed) {
    TransformerModel model = new TransformerModel(config, head, dtype, device);
    for (Weights.Spec spec : model.specs.values()) {
      float[] values = new float[Math.toIntExact(spec.shape().size())];
      switch (spec.init()) {
        case ONES -> java.util.Arrays.fill(values, 1f);
        case ZEROS -> {}
        case NORMAL -> {
          // One stream per parameter name: adding a layer or a head leaves the others unchanged.
          SplittableRandom random = new SplittableRandom(seed * 31 + spec.name().hashCode());
          for (int i = 0; i < values.length; i++) {
            values[i] = (float) (gaussian(random) * INIT_STD);
          }
        }
      }
      // Weights in libtorch-owned memory, not in the Java buffer create() wraps: duplicate() is a
      // real copy (DJL's toType(same type, copy=true) would share the buffer).
      try (NDArray fromJava = model.manager.create(values, spec.shape())) {
        model.setArray(spec, fromJava.duplicate().toType(dtype, false));
      }
    }
    return model;
  }

  /**
   * A model with the given weights (Hugging Face names); every parameter must be present with its
   * shape, and names the model does not have are ignored only if {@code ignoreOthers}.
   */
  public static TransformerModel of(
      ModelConfig config,
      Head head,
      DataType dtype,
      Device device,
      Map<String, NDArray> weights,
      boolean ignoreOthers) {
    TransformerModel model = new TransformerModel(config, head, dtype, device);
    for (Weights.Spec spec : model.specs.values()) {
      NDArray source = weights.get(spec.name());
      if (source == null) {
        model.close();
        throw new IllegalArgumentException("Missing weight " + spec.name() + " " + spec.shape());
      }
      if (!source.getShape().equals(spec.shape())) {
        model.close();
        throw new IllegalArgumentException(
            "Weight "
                + spec.name()
                + " has shape "
                + source.getShape()
                + ", expected "
                + spec.shape());
      }
      model.setArray(spec, source.toDevice(device, false).toType(dtype, false).duplicate());
    }
    if (!ignoreOthers) {
      List<String> unknown = new ArrayList<>(weights.keySet());
      unknown.removeAll(model.specs.keySet());
      if (!unknown.isEmpty()) {
        model.close();
        throw new IllegalArgumentException("Unexpected weights " + unknown);
      }
    }
    return model;
  }

  private void setArray(Weights.Spec spec, NDArray array) {
    array.attach(manager);
    array.setRequiresGradient(true);
    spec.parameter().setArray(array);
  }

  /** The model's weights by Hugging Face name, live arrays in declaration order. */
  public Map<String, NDArray> weights() {
    Map<String, NDArray> weights = new LinkedHashMap<>();
    specs.forEach((name, spec) -> weights.put(name, spec.parameter().getArray()));
    return Collections.unmodifiableMap(weights);
  }

  /** Shapes by Hugging Face name. */
  public Map<String, Shape> shapes() {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    specs.forEach((name, spec) -> shapes.put(name, spec.shape()));
    return shapes;
  }

  /**
   * Copies {@code source}'s weights of the same name into this model in place (e.g. a critic's
   * backbone from the policy); returns how many were copied.
   */
  public int copyWeightsFrom(Map<String, NDArray> source) {
    // In-place writes to trainable weights are refused while autograd records, and grad mode is
    // per thread (a Flink task thread starts with it on): switch it off for the copy.
    boolean recording = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      int copied = 0;
      for (Map.Entry<String, Weights.Spec> e : specs.entrySet()) {
        NDArray from = source.get(e.getKey());
        if (from != null && from.getShape().equals(e.getValue().shape())) {
          e.getValue().parameter().getArray().set(new NDIndex("..."), from.toType(dtype, false));
          copied++;
        }
      }
      return copied;
    } finally {
      JniUtils.setGradMode(recording);
    }
  }

  public ModelConfig config() {
    return config;
  }

  public Head head() {
    return head;
  }

  public DataType dtype() {
    return dtype;
  }

  /** The manager owning the weights; create per-step sub-managers from it. */
  public NDManager manager() {
    return manager;
  }

  /** Parameters of this model, head included. */
  public long parameterCount() {
    return specs.values().stream().mapToLong(s -> s.shape().size()).sum();
  }

  /** One forward pass over {@code input}, after the positions in {@code cache} (or none). */
  public ModelOutput forward(ModelInput input, KvCache cache, boolean training) {
    NDArray tokens = input.tokens();
    NDArray x =
        Embedding.embedding(
                tokens,
                store.getValue(embedding, tokens.getDevice(), training),
                ai.djl.ndarray.types.SparseFormat.DENSE)
            .head(); // (B, T, C)
    Rotary rotary = Rotary.of(input.positions(), config.headDim(), config.ropeTheta(), dtype);
    List<NDArray> keys = new ArrayList<>(layers.size());
    List<NDArray> values = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      NDList out =
          layers
              .get(i)
              .forward(
                  store,
                  x,
                  rotary,
                  input.attentionBias(),
                  cache == null ? null : cache.keys().get(i),
                  cache == null ? null : cache.values().get(i),
                  training);
      x = out.get(0);
      keys.add(out.get(1));
      values.add(out.get(2));
    }
    NDArray h = norm.forward(store, x, training); // (B, T, C)
    return new ModelOutput(headOutput(h, training), new KvCache(keys, values));
  }

  private NDArray headOutput(NDArray h, boolean training) {
    return switch (head) {
      case LM ->
          Linear.linear(
                  h,
                  store.getValue(
                      headWeight == null ? embedding : headWeight, h.getDevice(), training))
              .head(); // (B, T, V)
      case VALUE ->
          Linear.linear(
                  h,
                  store.getValue(headWeight, h.getDevice(), training),
                  store.getValue(headBias, h.getDevice(), training))
              .head()
              .squeeze(-1); // (B, T)
      case STEP_SCORE ->
          Linear.linear(
                  h,
                  store.getValue(headWeight, h.getDevice(), training),
                  store.getValue(headBias, h.getDevice(), training))
              .head(); // (B, T, 2)
    };
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    KvCache cache = null;
    if (inputs.size() > 3) {
      List<NDArray> k = new ArrayList<>();
      List<NDArray> v = new ArrayList<>();
      for (int i = 3; i < inputs.size(); i += 2) {
        k.add(inputs.get(i));
        v.add(inputs.get(i + 1));
      }
      cache = new KvCache(k, v);
    }
    ModelOutput out =
        forward(new ModelInput(inputs.get(0), inputs.get(1), inputs.get(2)), cache, training);
    NDList result = new NDList(out.output());
    for (int i = 0; i < layers.size(); i++) {
      result.add(out.cache().keys().get(i));
      result.add(out.cache().values().get(i));
    }
    return result;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape tokens = inputShapes[0];
    Shape out =
        switch (head) {
          case LM -> tokens.add(config.vocabSize());
          case VALUE -> tokens;
          case STEP_SCORE -> tokens.add(2);
        };
    long past = inputShapes.length > 3 ? inputShapes[3].get(2) : 0;
    Shape kv =
        new Shape(tokens.get(0), config.numKvHeads(), past + tokens.get(1), config.headDim());
    Shape[] shapes = new Shape[1 + 2 * layers.size()];
    shapes[0] = out;
    java.util.Arrays.fill(shapes, 1, shapes.length, kv);
    return shapes;
  }

  @Override
  public void close() {
    manager.close();
  }

  String headName() {
    return switch (head) {
      case LM -> "lm_head";
      case VALUE -> "value_head";
      case STEP_SCORE -> "score";
    };
  }

  private Map<String, Weights.Spec> collectSpecs() {
    List<Weights.Spec> list = new ArrayList<>();
    int c = config.hiddenSize();
    list.add(
        new Weights.Spec(
            embedding.getName(), new Shape(config.vocabSize(), c), Weights.Init.NORMAL, embedding));
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).specs("model.layers." + i + ".", list);
    }
    norm.specs("model.norm.", list);
    if (headWeight != null) {
      long rows =
          switch (head) {
            case LM -> config.vocabSize();
            case VALUE -> 1;
            case STEP_SCORE -> 2;
          };
      // A critic's head starts at zero: every state is valued 0 until the critic learns, so GAE's
      // first advantages are the returns themselves, not the noise of a random head
      // (ALGORITHMS.md §3, LM defaults).
      Weights.Init init = head == Head.VALUE ? Weights.Init.ZEROS : Weights.Init.NORMAL;
      list.add(new Weights.Spec(headWeight.getName(), new Shape(rows, c), init, headWeight));
    }
    if (headBias != null) {
      list.add(
          new Weights.Spec(
              headBias.getName(),
              new Shape(head == Head.VALUE ? 1 : 2),
              Weights.Init.ZEROS,
              headBias));
    }
    Map<String, Weights.Spec> byName = new LinkedHashMap<>();
    list.forEach(spec -> byName.put(spec.name(), spec));
    return byName;
  }

  /** A standard normal draw (Box-Muller), from a seeded stream so initialisation is exact. */
  private static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble(); // (0, 1]
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
