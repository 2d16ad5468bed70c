package dev.rlflow.resharding.store;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The layout of a set of whole (unsharded) weights: each Hugging Face parameter name with its shape
 * and dtype, in declaration order. Two parties can hand weights over in place when their layouts
 * are equal.
 *
 * @param tensors shape and dtype by parameter name, in declaration order
 */
public record WeightLayout(Map<String, Tensor> tensors) {

  /** The shape and dtype of one parameter. */
  public record Tensor(Shape shape, DataType dtype) {
    public Tensor {
      Objects.requireNonNull(shape, "shape");
      Objects.requireNonNull(dtype, "dtype");
    }

    @Override
    public String toString() {
      return shape + " " + dtype;
    }
  }

  public WeightLayout {
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("A weight layout needs at least one parameter");
    }
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** The layout of {@code arrays} as they are now. */
  public static WeightLayout of(Map<String, NDArray> arrays) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    arrays.forEach((name, a) -> tensors.put(name, new Tensor(a.getShape(), a.getDataType())));
    return new WeightLayout(tensors);
  }

  /** The layout {@code model}'s parameters have: its shapes, all in the model's dtype. */
  public static WeightLayout of(TransformerModel model) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    model.shapes().forEach((name, shape) -> tensors.put(name, new Tensor(shape, model.dtype())));
    return new WeightLayout(tensors);
  }

  /**
   * The first parameter whose name, shape or dtype differs between this layout and {@code other}:
   * this layout's names in order, then names only {@code other} has. Empty when the layouts agree.
   */
  public Optional<String> firstMismatch(WeightLayout other) {
    return firstMismatch(other, true);
  }

  /** As {@link #firstMismatch}, ignoring dtypes: the layouts agree up to a cast. */
  public Optional<String> firstShapeMismatch(WeightLayout other) {
    return firstMismatch(other, false);
  }

  /** {@code name}'s shape and dtype, e.g. {@code (13, 16) float32}, or {@code absent}. */
  public String describe(String name) {
    Tensor tensor = tensors.get(name);
    return tensor == null ? "absent" : tensor.toString();
  }

  private Optional<String> firstMismatch(WeightLayout other, boolean dtypes) {
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor theirs = other.tensors.get(e.getKey());
      Tensor ours = e.getValue();
      if (theirs == null
          || !theirs.shape().equals(ours.shape())
          || (dtypes && theirs.dtype() != ours.dtype())) {
        return Optional.of(e.getKey());
      }
    }
    return other.tensors.keySet().stream().filter(name -> !tensors.containsKey(name)).findFirst();
  }
}
