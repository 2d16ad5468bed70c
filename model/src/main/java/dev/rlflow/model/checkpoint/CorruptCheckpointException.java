package dev.rlflow.model.checkpoint;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A checkpoint file that cannot be loaded as it is: reading it again will fail again, so callers
 * must not retry (I/O failures that may pass are {@link java.io.IOException}s instead).
 *
 * <p>It is unchecked, apart from {@code IOException}, because the two call for different actions: a
 * Flink task retries after an {@code IOException}, while a corrupt or incompatible checkpoint needs
 * a person. The message names the file, the tensor where one is concerned, and what is wrong, e.g.
 * {@code model.safetensors: tensor model.norm.weight: data offsets [0, 1024) exceed the data
 * section of 512 bytes}.
 */
public final class CorruptCheckpointException extends RuntimeException {
  private final transient Path file;
  private final String tensor;

  /** A problem with a whole file (its header, its layout, its config). */
  public CorruptCheckpointException(Path file, String problem) {
    this(file, null, problem, null);
  }

  /** A problem with one tensor of a file. */
  public CorruptCheckpointException(Path file, String tensor, String problem) {
    this(file, tensor, problem, null);
  }

  /** A problem found by a parser or validator that raised {@code cause}. */
  public CorruptCheckpointException(Path file, String tensor, String problem, Throwable cause) {
    super(message(file, tensor, problem), cause);
    this.file = file;
    this.tensor = tensor;
  }

  /** The file that is corrupt. */
  public Path file() {
    return file;
  }

  /** The tensor that is corrupt, when the problem concerns one. */
  public Optional<String> tensor() {
    return Optional.ofNullable(tensor);
  }

  private static String message(Path file, String tensor, String problem) {
    return tensor == null ? file + ": " + problem : file + ": tensor " + tensor + ": " + problem;
  }
}
