package dev.rlflow.training.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Adam with decoupled weight decay (AdamW, Loshchilov and Hutter 2019, "Decoupled Weight Decay
 * Regularization", arXiv 1711.05101, Algorithm 2), updating parameters in place.
 *
 * <p>For each parameter {@code p} with gradient {@code g}, at update {@code t = 1, 2, ...}:
 *
 * <pre>
 *   m = beta1 * m + (1 - beta1) * g          m_hat = m / (1 - beta1^t)
 *   v = beta2 * v + (1 - beta2) * g^2        v_hat = v / (1 - beta2^t)
 *   p = p - lr * (m_hat / (sqrt(v_hat) + eps) + wd * p)
 * </pre>
 *
 * <p>The decay term uses {@code p} before the update and is scaled by {@code lr}, as in {@code
 * torch.optim.AdamW} (the paper's schedule multiplier times its decay rate). Parameters for which
 * the decay predicate is false (by default RMSNorm scales and biases, {@link #decayedByDefault})
 * get no decay. The moments are FP32 whatever the parameter's type, so FP16 parameters are updated
 * through an FP32 computation.
 *
 * <p>One step counter serves all parameters: pass every parameter at every step. The moments live
 * in a sub-manager of the manager given at construction (the model's, so they sit on the model's
 * device); {@link #close()} frees them. Not thread-safe: one trainer thread updates.
 */
public final class AdamW implements AutoCloseable {

  /** Suffix of the first-moment entries in {@link #state()}, as PyTorch names them. */
  public static final String EXP_AVG = ".exp_avg";

  /** Suffix of the second-moment entries in {@link #state()}, as PyTorch names them. */
  public static final String EXP_AVG_SQ = ".exp_avg_sq";

  /**
   * The constants of AdamW.
   *
   * @param beta1 decay of the first moment, in [0, 1)
   * @param beta2 decay of the second moment, in [0, 1)
   * @param eps added to the denominator, > 0
   * @param weightDecay decoupled decay rate, >= 0
   */
  public record Hyperparameters(double beta1, double beta2, double eps, double weightDecay) {

    public Hyperparameters {
      require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)");
      require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)");
      require(eps > 0 && Double.isFinite(eps), "eps", eps, "> 0 and finite");
      require(
          weightDecay >= 0 && Double.isFinite(weightDecay),
          "weightDecay",
          weightDecay,
          ">= 0 and finite");
    }

    /**
     * beta1 0.9, beta2 0.95, eps 1e-8, weight decay 0.1: the language-model setting of GPT-3 and
     * Llama. Its beta2 of 0.95 (PyTorch's default is 0.999) forgets old squared gradients faster,
     * which keeps updates stable when gradient scales shift during training.
     */
    public static Hyperparameters defaults() {
      return new Hyperparameters(0.9, 0.95, 1e-8, 0.1);
    }

    /** The same constants with another weight decay. */
    public Hyperparameters withWeightDecay(double weightDecay) {
      return new Hyperparameters(beta1, beta2, eps, weightDecay);
    }
  }

  private final Hyperparameters hp;
  private final Predicate<String> decayed;
  private final NDManager manager;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long steps;

  /**
   * An optimizer whose moments live under {@code parent}, decaying the parameters {@code decayed}
   * accepts by Hugging Face name.
   */
  public AdamW(NDManager parent, Hyperparameters hp, Predicate<String> decayed) {
    this.hp = Objects.requireNonNull(hp, "hp");
    this.decayed = Objects.requireNonNull(decayed, "decayed");
    this.manager = parent.newSubManager();
  }

  /** An optimizer that decays the parameters {@link #decayedByDefault} accepts. */
  public AdamW(NDManager parent, Hyperparameters hp) {
    this(parent, hp, AdamW::decayedByDefault);
  }

  /**
   * Whether a parameter is decayed unless told otherwise: every one except normalisation scales
   * (Hugging Face names ending in {@code norm.weight}) and biases (ending in {@code .bias}), whose
   * decay towards zero would only distort the scale or offset they exist to learn.
   */
  public static boolean decayedByDefault(String name) {
    return !(name.endsWith("norm.weight") || name.endsWith(".bias"));
  }

  /**
   * Applies one AdamW update with learning rate {@code lr} to every parameter of {@code params} (in
   * place) from its gradient of the same name in {@code grads}, and counts the step.
   *
   * @throws IllegalArgumentException if {@code lr} is negative or not finite, a gradient is
   *     missing, or a shape differs from the parameter's or from its moments'
   */
  public void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException(
          "Invalid value " + lr + " for lr: must be >= 0 and finite");
    }
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray g = grads.get(e.getKey());
      if (g == null) {
        throw new IllegalArgumentException("No gradient for parameter " + e.getKey());
      }
      if (!g.getShape().equals(e.getValue().getShape())) {
        throw new IllegalArgumentException(
            "Gradient of "
                + e.getKey()
                + " has shape "
                + g.getShape()
                + ", parameter "
                + e.getValue().getShape());
      }
      ensureMoments(e.getKey(), e.getValue());
    }
    long t = steps + 1;
    float b1 = (float) hp.beta1();
    float b2 = (float) hp.beta2();
    float c1 = (float) (1 - hp.beta1());
    float c2 = (float) (1 - hp.beta2());
    double bias1 = 1 - Math.pow(hp.beta1(), t);
    double bias2 = 1 - Math.pow(hp.beta2(), t);
    Engine.getInstance(); // loads the native library before any JniUtils call
    boolean gradMode = JniUtils.isGradMode();
    // In-place writes to leaves that require gradients are only legal with autograd off; the
    // scope closes every temporary of the update.
    JniUtils.setGradMode(false);
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        String name = e.getKey();
        NDArray p = e.getValue();
        NDArray g = grads.get(name).toType(DataType.FLOAT32, false);
        NDArray m = expAvg.get(name);
        NDArray v = expAvgSq.get(name);
        m.muli(b1).addi(g.mul(c1));
        v.muli(b2).addi(g.square().muli(c2));
        NDArray denominator = v.div(bias2).sqrt().addi(hp.eps());
        NDArray delta = m.div(bias1).divi(denominator); // m_hat / (sqrt(v_hat) + eps)
        if (hp.weightDecay() > 0 && decayed.test(name)) {
          delta.addi(p.toType(DataType.FLOAT32, false).mul(hp.weightDecay()));
        }
        p.subi(delta.muli(lr).toType(p.getDataType(), false));
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
    steps = t;
  }

  /** Updates applied so far: t of the last update, 0 before the first. */
  public long steps() {
    return steps;
  }

  public Hyperparameters hyperparameters() {
    return hp;
  }

  /**
   * The moments by name, {@code <param>.exp_avg} and {@code <param>.exp_avg_sq} (FP32), of every
   * parameter updated or loaded so far; live arrays that the next {@link #step} changes, so copy
   * them before handing them to another thread. Save them with {@link #steps()}.
   */
  public Map<String, NDArray> state() {
    Map<String, NDArray> state = new LinkedHashMap<>();
    expAvg.forEach(
        (name, m) -> {
          state.put(name + EXP_AVG, m);
          state.put(name + EXP_AVG_SQ, expAvgSq.get(name));
        });
    return Collections.unmodifiableMap(state);
  }

  /**
   * Replaces the moments and step counter by saved ones (as {@link #state()} and {@link #steps()}
   * gave them); the arrays are copied, so the caller may close them afterwards.
   *
   * @throws IllegalArgumentException if a name lacks a known suffix, a parameter has only one
   *     moment, the two moments' shapes differ, or {@code steps} is negative
   */
  public void loadState(Map<String, NDArray> state, long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("Invalid value " + steps + " for steps: must be >= 0");
    }
    Map<String, NDArray> first = new LinkedHashMap<>();
    Map<String, NDArray> second = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : state.entrySet()) {
      String key = e.getKey();
      if (key.endsWith(EXP_AVG_SQ)) {
        second.put(key.substring(0, key.length() - EXP_AVG_SQ.length()), e.getValue());
      } else if (key.endsWith(EXP_AVG)) {
        first.put(key.substring(0, key.length() - EXP_AVG.length()), e.getValue());
      } else {
        throw new IllegalArgumentException(
            "Optimizer state entry " + key + " ends in neither " + EXP_AVG + " nor " + EXP_AVG_SQ);
      }
    }
    if (!first.keySet().equals(second.keySet())) {
      throw new IllegalArgumentException(
          "Optimizer state needs both moments of every parameter: "
              + first.keySet()
              + " have "
              + EXP_AVG
              + ", "
              + second.keySet()
              + " have "
              + EXP_AVG_SQ);
    }
    for (Map.Entry<String, NDArray> e : first.entrySet()) {
      NDArray sq = second.get(e.getKey());
      if (!e.getValue().getShape().equals(sq.getShape())) {
        throw new IllegalArgumentException(
            "Moments of "
                + e.getKey()
                + " differ in shape: "
                + e.getValue().getShape()
                + " and "
                + sq.getShape());
      }
    }
    expAvg.values().forEach(NDArray::close);
    expAvgSq.values().forEach(NDArray::close);
    expAvg.clear();
    expAvgSq.clear();
    first.forEach((name, m) -> expAvg.put(name, copy(m)));
    second.forEach((name, v) -> expAvgSq.put(name, copy(v)));
    this.steps = steps;
  }

  /**
   * Sets the accumulated gradients of {@code parameters} to zero in place; DJL adds every backward
   * pass to them until then. Unlike {@code g.subi(g)} this also clears NaN and infinite entries.
   */
  public static void zeroGradients(Collection<NDArray> parameters) {
    for (NDArray p : parameters) {
      JniUtils.zeroGrad((PtNDArray) p);
    }
  }

  /** Frees the moments; the optimizer must not be used afterwards. */
  @Override
  public void close() {
    manager.close();
  }

  private void ensureMoments(String name, NDArray param) {
    NDArray m = expAvg.get(name);
    if (m == null) {
      expAvg.put(
          name, persistent(manager.zeros(param.getShape(), DataType.FLOAT32, param.getDevice())));
      expAvgSq.put(
          name, persistent(manager.zeros(param.getShape(), DataType.FLOAT32, param.getDevice())));
    } else if (!m.getShape().equals(param.getShape())) {
      throw new IllegalArgumentException(
          "Parameter " + name + " has shape " + param.getShape() + ", its moments " + m.getShape());
    }
  }

  private NDArray copy(NDArray source) {
    NDArray target =
        persistent(manager.zeros(source.getShape(), DataType.FLOAT32, manager.getDevice()));
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      target.set(
          new NDIndex("..."),
          source.toDevice(target.getDevice(), false).toType(DataType.FLOAT32, false));
    }
    return target;
  }

  /** Keeps {@code moment} out of any {@link NDScope} the caller has open: the manager owns it. */
  private static NDArray persistent(NDArray moment) {
    NDScope.unregister(moment);
    return moment;
  }

  private static void require(boolean ok, String field, double value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(
          "Invalid value " + value + " for " + field + ": must be " + rule);
    }
  }
}
