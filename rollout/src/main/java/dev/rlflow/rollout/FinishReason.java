package dev.rlflow.rollout;

/** Why a sample stopped growing. */
public enum FinishReason {
  /** A stop token id was generated; it is the sample's last token (kept, with its log-prob). */
  EOS,
  /**
   * The decoded text came to contain a stop string; the token that completed it is the sample's
   * last token (kept, so the text may run past the stop string within that token).
   */
  STOP_STRING,
  /** The sample reached its request's {@code maxNewTokens}. */
  LENGTH
}
