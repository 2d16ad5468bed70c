package dev.rlflow.resharding.store;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The checks {@link WeightStore#publish} makes in every store, in the same words: a version is
 * non-negative, has weights, comes after the latest one, keeps the layout, and the store is open.
 */
final class PublishRules {
  private PublishRules() {}

  /**
   * The layout of {@code weights}, which version {@code version} publishes.
   *
   * @throws IllegalArgumentException if the version is negative or the weights are empty
   */
  static WeightLayout layoutOf(long version, Map<String, NDArray> weights) {
    if (version < 0) {
      throw new IllegalArgumentException("Invalid policy version " + version + ": must be >= 0");
    }
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("Policy version " + version + " has no weights");
    }
    return WeightLayout.of(weights);
  }

  /**
   * Checks that {@code version} of layout {@code incoming} may follow version {@code latest} (-1:
   * none yet) of layout {@code layout} (null: none yet) in a store that is {@code closed} or not.
   *
   * @throws IllegalStateException if the store is closed
   * @throws IllegalArgumentException if the version is not above the latest or the layout differs
   */
  static void check(
      long version, WeightLayout incoming, boolean closed, long latest, WeightLayout layout) {
    if (closed) {
      throw new IllegalStateException(
          "Cannot publish policy version " + version + ": the weight store is closed");
    }
    if (version <= latest) {
      throw new IllegalArgumentException(
          "Cannot publish policy version "
              + version
              + ": versions must increase and version "
              + latest
              + " is already published");
    }
    String mismatch = layout == null ? null : layout.firstMismatch(incoming).orElse(null);
    if (mismatch != null) {
      throw new IllegalArgumentException(
          "Cannot publish policy version "
              + version
              + ": its layout differs from version "
              + latest
              + " at parameter "
              + mismatch
              + " ("
              + incoming.describe(mismatch)
              + ", was "
              + layout.describe(mismatch)
              + ")");
    }
  }

  /**
   * Checks that the store may record the end of the run after {@code lastVersion}.
   *
   * @throws IllegalArgumentException if {@code lastVersion} is not the latest published version
   */
  static void checkFinish(long lastVersion, long latest) {
    if (lastVersion != latest) {
      throw new IllegalArgumentException(
          "Cannot finish after policy version "
              + lastVersion
              + ": the latest published version is "
              + latest);
    }
  }

  /**
   * Checks that no version follows the end of the run.
   *
   * @throws IllegalStateException if the trainer finished after version {@code finishedAt} (-1: not
   *     finished)
   */
  static void checkNotFinished(long version, long finishedAt) {
    if (finishedAt >= 0) {
      throw new IllegalStateException(
          "Cannot publish policy version "
              + version
              + ": the trainer ended the run after version "
              + finishedAt);
    }
  }
}
