package dev.rlflow.model.tokenizer;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Opens the tokenizer that a run configuration's {@code policy.tokenizer} names. */
public final class Tokenizers {

  /** The spec of the built-in {@link CharTokenizer}. */
  public static final String CHAR = "char";

  private Tokenizers() {}

  /**
   * The tokenizer of {@code spec}: {@code char} gives a {@link CharTokenizer}; anything else is the
   * path of a tokenizer.json, or of a directory holding one, and gives an {@link HfTokenizer} with
   * {@link HfTokenizer.SpecialTokenNames#defaults() default special-token names} (a file named
   * {@code char} is reached as {@code ./char}). The caller closes the result.
   *
   * @throws IllegalArgumentException if {@code spec} is blank or not a path, the file does not
   *     exist or is not a valid tokenizer.json, or a special token cannot be found; the message
   *     names the spec or the file
   * @throws IOException if the file exists but cannot be read
   */
  public static Tokenizer load(String spec) throws IOException {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid tokenizer spec '"
              + spec
              + "': must be '"
              + CHAR
              + "' or the path of a tokenizer.json or of a directory holding one");
    }
    if (spec.equals(CHAR)) {
      return new CharTokenizer();
    }
    Path path;
    try {
      path = Path.of(spec);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "Invalid tokenizer spec '" + spec + "': not a path: " + e.getMessage(), e);
    }
    return HfTokenizer.load(path);
  }
}
