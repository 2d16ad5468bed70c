package dev.rlflow.resharding.checkpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One tensor of a version: its Hugging Face name (or {@code optimizer/exp_avg/<name>} for an Adam
 * moment), global shape and dtype, and the fragments that hold it.
 *
 * @param name the tensor's name
 * @param dtype the element type of every fragment
 * @param shape the global shape
 * @param fragments the fragments, which must tile the global shape
 */
public record TensorEntry(
    String name, TensorDtype dtype, long[] shape, List<FragmentEntry> fragments) {

  public TensorEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    fragments = List.copyOf(fragments);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Bytes of the whole tensor. */
  public long bytes() {
    return TensorRegion.volume(shape) * dtype.bytes;
  }

  /**
   * The first rule the fragments break, empty when they tile the global shape exactly: each lies
   * inside it with as many bytes as its box needs, no two overlap, and together they cover it.
   */
  Optional<String> tilingProblem() {
    long covered = 0;
    for (int i = 0; i < fragments.size(); i++) {
      FragmentEntry fragment = fragments.get(i);
      TensorRegion box = fragment.region();
      if (!box.within(shape)) {
        return Optional.of(
            "fragment "
                + box
                + " of "
                + fragment.file()
                + " reaches outside the global shape "
                + Arrays.toString(shape));
      }
      long needed = box.volume() * dtype.bytes;
      if (fragment.bytes() != needed) {
        return Optional.of(
            "fragment "
                + box
                + " of "
                + fragment.file()
                + " needs "
                + needed
                + " bytes of "
                + dtype
                + " but its byte range holds "
                + fragment.bytes());
      }
      for (FragmentEntry earlier : fragments.subList(0, i)) {
        if (box.intersect(earlier.region()).isPresent()) {
          return Optional.of(
              "fragment " + box + " of " + fragment.file() + " overlaps " + earlier.region());
        }
      }
      covered += box.volume();
    }
    long elements = TensorRegion.volume(shape);
    return covered == elements
        ? Optional.empty()
        : Optional.of(
            "fragments cover "
                + covered
                + " of the "
                + elements
                + " elements of shape "
                + Arrays.toString(shape));
  }
}
