package dev.rlflow.resharding.checkpoint;

import java.util.Optional;

/**
 * A committed universal checkpoint version that cannot be loaded as it is: reading it again will
 * fail again, so a caller must not retry (an I/O failure that may pass is an {@link
 * java.io.IOException} instead). The message names the URI, the tensor where one is concerned, and
 * the rule that was broken.
 */
public final class CorruptVersionException extends RuntimeException {

  /** What is wrong, for callers that act on it and for tests. */
  public enum Reason {
    /** A fragment's bytes do not match its CRC32C (or the filesystem's own checksum). */
    CHECKSUM_MISMATCH,
    /** A fragment file ends before the byte range the index gives it. */
    TRUNCATED,
    /** The index or the commit marker is no valid index of this format. */
    MALFORMED_INDEX,
    /** A fragment file's safetensors header is malformed or disagrees with the index. */
    MALFORMED_HEADER,
    /** A tensor's fragments leave a gap, overlap, or reach outside its global shape. */
    NOT_TILED,
    /** A file the index names is absent. */
    MISSING_FILE
  }

  private final String uri;
  private final String tensor;
  private final Reason reason;

  /** A problem of the version at {@code uri} (a file of it), about {@code tensor} when not null. */
  public CorruptVersionException(String uri, String tensor, Reason reason, String rule) {
    this(uri, tensor, reason, rule, null);
  }

  /** As above, found by a parser or the filesystem that raised {@code cause}. */
  public CorruptVersionException(
      String uri, String tensor, Reason reason, String rule, Throwable cause) {
    super(uri + ": " + (tensor == null ? "" : "tensor " + tensor + ": ") + rule, cause);
    this.uri = uri;
    this.tensor = tensor;
    this.reason = reason;
  }

  /** The file or version directory that is corrupt. */
  public String uri() {
    return uri;
  }

  /** The tensor concerned, when the problem is one tensor's. */
  public Optional<String> tensor() {
    return Optional.ofNullable(tensor);
  }

  public Reason reason() {
    return reason;
  }
}
