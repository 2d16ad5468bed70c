package dev.rlflow.training.loop;

import java.util.SplittableRandom;

/**
 * Indices of a training set, epoch after epoch, each epoch in a seeded shuffle: the order in which
 * the {@link TrainingLoop} draws its batches.
 */
public final class BatchOrder {
  private final int[] indices;
  private final SplittableRandom random;
  private int position;

  /**
   * The order of {@code size} examples shuffled from {@code seed}.
   *
   * @throws IllegalArgumentException when {@code size} is 0: nothing to train on
   */
  public BatchOrder(int size, long seed) {
    if (size == 0) {
      throw new IllegalArgumentException("Nothing to train on: no examples");
    }
    indices = new int[size];
    for (int i = 0; i < size; i++) {
      indices[i] = i;
    }
    random = new SplittableRandom(seed);
    position = size;
  }

  /** The next example's index; a new shuffle starts each epoch. */
  public int next() {
    if (position == indices.length) {
      for (int i = indices.length - 1; i > 0; i--) { // Fisher-Yates
        int j = random.nextInt(i + 1);
        int swap = indices[i];
        indices[i] = indices[j];
        indices[j] = swap;
      }
      position = 0;
    }
    return indices[position++];
  }
}
