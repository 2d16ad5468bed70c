package dev.rlflow.resharding.checkpoint;

/**
 * A universal checkpoint version that is not visible: its directory does not exist, its commit
 * marker is not written yet, or the marker does not hold the checksum of the index beside it. A
 * reader never loads such a version; a reader waiting for one (the filesystem weight store) may
 * look again later, since a writer may still be writing it.
 */
public final class UncommittedVersionException extends RuntimeException {

  /** Why the version is not visible. */
  public enum Reason {
    /** No version directory at the URI. */
    NO_SUCH_VERSION,
    /** The directory holds no commit marker: a writer has not finished it (or died). */
    NO_MARKER,
    /** The marker holds another checksum than the index's: the index is not the one committed. */
    MARKER_MISMATCH
  }

  private final String uri;
  private final Reason reason;

  public UncommittedVersionException(String uri, Reason reason, String rule) {
    super(uri + ": " + rule);
    this.uri = uri;
    this.reason = reason;
  }

  /** The version directory. */
  public String uri() {
    return uri;
  }

  public Reason reason() {
    return reason;
  }
}
