package dev.rlflow.resharding.store;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable snapshot of one published policy version: Hugging Face parameter name → array, with
 * its {@link WeightLayout} and device. The arrays belong to the store (a manager per version, or
 * per lease where the store loads each version from files) and live as long as a {@link
 * WeightLease} or the store's retention holds the version.
 *
 * <p><b>Immutable by contract</b>: DJL has no read-only arrays, so nobody writes to {@link
 * #tensors()}; any number of threads may read them at once (concurrent libtorch reads of one tensor
 * do not race). After the lease is closed the arrays may be freed; using them then fails with DJL's
 * "released" {@link IllegalStateException} rather than reading freed memory.
 *
 * <p><b>Hand-over.</b> A reader with no model of its own reads {@link #tensors()} directly under
 * its lease: zero copies. A reader with a model calls {@link #applyTo}, which overwrites the
 * model's arrays in place: one device-local copy per version (about 8.6 GB/s on CPU here, DESIGN.md
 * §1), no allocation when layouts agree. Letting the model alias the snapshot's arrays instead
 * would save that copy but is neither safe nor simple with DJL: a {@code Parameter} takes its array
 * once and {@code TransformerModel}'s {@code ParameterStore} caches the arrays forward() uses, so a
 * swap would need the model rebuilt; the model would also have to hold the lease for its whole life
 * (pinning old versions against retention) and would share memory that training could not update.
 */
public final class PolicyWeights {
  private final long version;
  private final Device device;
  private final WeightLayout layout;
  private final Map<String, NDArray> tensors;

  private PolicyWeights(long version, Device device, Map<String, NDArray> tensors) {
    this.version = version;
    this.device = device;
    this.tensors = Collections.unmodifiableMap(tensors);
    this.layout = WeightLayout.of(this.tensors);
  }

  /**
   * Copies {@code source} (e.g. a trainer's live {@code TransformerModel.weights()}) into new
   * arrays owned by {@code owner} on its device: one real copy per array, without autograd history,
   * untouched by any {@link NDScope} the caller is in. For {@link WeightStore} implementations.
   *
   * <p>Reads {@code source} during the call only; the caller must not update it meanwhile.
   */
  public static PolicyWeights copyOf(long version, Map<String, NDArray> source, NDManager owner) {
    if (source.isEmpty()) {
      throw new IllegalArgumentException("Policy version " + version + " has no weights");
    }
    Device device = owner.getDevice();
    Map<String, NDArray> copies = new LinkedHashMap<>();
    // A clone made while autograd records would hang on the trainer's graph: switch it off (grad
    // mode is per thread).
    boolean recording = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      source.forEach(
          (name, live) -> {
            // duplicate() is a real clone; toDevice() to another device is a real copy. (toType or
            // toDevice with copy=true on the same type and device may share memory.)
            NDArray copy =
                live.getDevice().equals(device) ? live.duplicate() : live.toDevice(device, false);
            // A trainer publishing inside its per-step NDScope would otherwise free the snapshot.
            NDScope.unregister(copy);
            copy.attach(owner);
            copy.setName(name);
            copies.put(name, copy);
          });
    } finally {
      JniUtils.setGradMode(recording);
    }
    return new PolicyWeights(version, device, copies);
  }

  /**
   * Wraps {@code arrays}, which the caller has just created in a manager on {@code device} that it
   * hands to the version's lease: no copy. For stores that load a version rather than copy it.
   */
  static PolicyWeights owning(long version, Device device, Map<String, NDArray> arrays) {
    if (arrays.isEmpty()) {
      throw new IllegalArgumentException("Policy version " + version + " has no weights");
    }
    arrays.forEach((name, array) -> array.setName(name));
    return new PolicyWeights(version, device, new LinkedHashMap<>(arrays));
  }

  public long version() {
    return version;
  }

  /** The device every array is on. */
  public Device device() {
    return device;
  }

  public WeightLayout layout() {
    return layout;
  }

  /** The arrays by Hugging Face name, in declaration order; read them, never write them. */
  public Map<String, NDArray> tensors() {
    return tensors;
  }

  /**
   * Overwrites {@code model}'s weights in place with this snapshot and says how: {@link
   * HandOver#IN_PLACE} when layouts (names, shapes, dtype) and device agree, {@link
   * HandOver#CONVERTED} when only the dtype or device differs (e.g. FP32 master weights into an
   * FP16 generation model). The model keeps its own arrays, so the lease may be closed right after.
   *
   * <p>Call it from the model's thread while no forward pass is running on the model.
   *
   * @throws IllegalArgumentException if names or shapes differ, naming the first mismatching
   *     parameter; the model is then unchanged
   */
  public HandOver applyTo(TransformerModel model) {
    WeightLayout target = WeightLayout.of(model);
    String mismatch = layout.firstShapeMismatch(target).orElse(null);
    if (mismatch != null) {
      throw new IllegalArgumentException(
          "Cannot apply policy version "
              + version
              + " to the model: first mismatching parameter "
              + mismatch
              + " is "
              + layout.describe(mismatch)
              + " in the snapshot, "
              + target.describe(mismatch)
              + " in the model");
    }
    Device modelDevice = model.manager().getDevice();
    if (layout.equals(target) && device.equals(modelDevice)) {
      copyInto(model, tensors);
      return HandOver.IN_PLACE;
    }
    // copyWeightsFrom casts to the model's dtype; the moved and cast temporaries are created in
    // this scope and freed when it closes.
    try (NDScope scope = new NDScope()) {
      Map<String, NDArray> moved = new LinkedHashMap<>();
      tensors.forEach((name, a) -> moved.put(name, a.toDevice(modelDevice, false)));
      copyInto(model, moved);
    }
    return HandOver.CONVERTED;
  }

  private void copyInto(TransformerModel model, Map<String, NDArray> source) {
    int copied = model.copyWeightsFrom(source);
    if (copied != source.size()) {
      // Layouts were checked above: reaching this is a bug, never a partial hand-over to ignore.
      throw new IllegalStateException(
          "Copied "
              + copied
              + " of "
              + source.size()
              + " parameters of policy version "
              + version
              + " into the model");
    }
  }

  @Override
  public String toString() {
    return "PolicyWeights[version="
        + version
        + ", "
        + tensors.size()
        + " tensors on "
        + device
        + "]";
  }
}
