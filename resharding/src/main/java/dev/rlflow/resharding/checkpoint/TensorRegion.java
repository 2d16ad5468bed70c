package dev.rlflow.resharding.checkpoint;

import java.util.Arrays;
import java.util.Optional;

/**
 * A box of a tensor: the offsets of its first element in the global tensor and its shape. A
 * fragment covers one; a target layout asks for one (e.g. slice k of n along dim 0 for a
 * tensor-parallel rank), and a reader reads only the bytes of the fragments that overlap it.
 *
 * @param offsets first index along each dimension
 * @param shape extent along each dimension
 */
public record TensorRegion(long[] offsets, long[] shape) {

  public TensorRegion {
    offsets = offsets.clone();
    shape = shape.clone();
    if (offsets.length != shape.length) {
      throw new IllegalArgumentException(
          "Invalid value "
              + Arrays.toString(offsets)
              + " for offsets: must have one entry per dimension of shape "
              + Arrays.toString(shape));
    }
    for (int i = 0; i < shape.length; i++) {
      if (offsets[i] < 0 || shape[i] < 0) {
        throw new IllegalArgumentException(
            "Invalid region "
                + Arrays.toString(offsets)
                + " + "
                + Arrays.toString(shape)
                + ": offsets and shape must be >= 0");
      }
    }
  }

  /** The whole of a tensor of shape {@code shape}. */
  public static TensorRegion whole(long[] shape) {
    return new TensorRegion(new long[shape.length], shape);
  }

  /**
   * Slice {@code index} of {@code count} equal slices along {@code dim} of a tensor of shape {@code
   * globalShape}: what tensor-parallel rank {@code index} of {@code count} holds of a weight split
   * along {@code dim} (dim 0 for column-parallel, dim 1 for row-parallel linear layers).
   *
   * @throws IllegalArgumentException when {@code dim} is no dimension, {@code index} is not in [0,
   *     count) or {@code count} does not divide the dimension
   */
  public static TensorRegion slice(long[] globalShape, int dim, int index, int count) {
    if (dim < 0 || dim >= globalShape.length) {
      throw new IllegalArgumentException(
          "Invalid value "
              + dim
              + " for dim: must be a dimension of shape "
              + Arrays.toString(globalShape));
    }
    if (count < 1 || index < 0 || index >= count || globalShape[dim] % count != 0) {
      throw new IllegalArgumentException(
          "Invalid slice "
              + index
              + " of "
              + count
              + " along dim "
              + dim
              + " of shape "
              + Arrays.toString(globalShape)
              + ": need 0 <= index < count and count dividing "
              + globalShape[dim]);
    }
    long[] offsets = new long[globalShape.length];
    long[] shape = globalShape.clone();
    shape[dim] = globalShape[dim] / count;
    offsets[dim] = shape[dim] * index;
    return new TensorRegion(offsets, shape);
  }

  /** Elements of a tensor of {@code shape} (1 for a scalar). */
  public static long volume(long[] shape) {
    long elements = 1;
    for (long dim : shape) {
      elements = Math.multiplyExact(elements, dim);
    }
    return elements;
  }

  /** Elements of the box. */
  public long volume() {
    return volume(shape);
  }

  /** Whether the box lies inside a tensor of shape {@code global}. */
  boolean within(long[] global) {
    if (global.length != shape.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (offsets[i] > global[i] || shape[i] > global[i] - offsets[i]) {
        return false;
      }
    }
    return true;
  }

  /** The elements both boxes cover; empty when they share none. */
  Optional<TensorRegion> intersect(TensorRegion other) {
    long[] start = new long[shape.length];
    long[] extent = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      start[i] = Math.max(offsets[i], other.offsets[i]);
      long end = Math.min(offsets[i] + shape[i], other.offsets[i] + other.shape[i]);
      if (end <= start[i]) {
        return Optional.empty();
      }
      extent[i] = end - start[i];
    }
    return Optional.of(new TensorRegion(start, extent));
  }

  /** Receives one contiguous run of a copy: byte offsets into source and target, and a length. */
  interface RunConsumer {
    void accept(long sourceByte, long targetByte, long bytes) throws java.io.IOException;
  }

  /**
   * Visits, in source order, the contiguous runs that copy this box (which must lie inside both)
   * from a C-order buffer of box {@code source} into one of box {@code target}: the runs join every
   * trailing dimension that both buffers hold whole, so a dim-0 slice is one run.
   */
  void forEachRun(TensorRegion source, TensorRegion target, int elementBytes, RunConsumer runs)
      throws java.io.IOException {
    int rank = shape.length;
    int outer = rank - 1;
    long run = rank == 0 ? 1 : shape[rank - 1];
    while (outer > 0
        && shape[outer] == source.shape[outer]
        && shape[outer] == target.shape[outer]) {
      outer--;
      run *= shape[outer];
    }
    if (rank == 0) {
      outer = 0;
    }
    long[] index = new long[rank];
    while (true) {
      long sourceElement = 0;
      long targetElement = 0;
      for (int i = 0; i < rank; i++) {
        long at = offsets[i] + (i < outer ? index[i] : 0);
        sourceElement = sourceElement * source.shape[i] + at - source.offsets[i];
        targetElement = targetElement * target.shape[i] + at - target.offsets[i];
      }
      runs.accept(sourceElement * elementBytes, targetElement * elementBytes, run * elementBytes);
      int i = outer - 1;
      while (i >= 0 && ++index[i] == shape[i]) {
        index[i--] = 0;
      }
      if (i < 0) {
        return;
      }
    }
  }

  @Override
  public long[] offsets() {
    return offsets.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorRegion r
        && Arrays.equals(offsets, r.offsets)
        && Arrays.equals(shape, r.shape);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(offsets) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "offsets " + Arrays.toString(offsets) + " shape " + Arrays.toString(shape);
  }
}
