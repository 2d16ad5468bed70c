package dev.rlflow.rollout;

import java.util.Arrays;
import java.util.Objects;

/**
 * Continue {@code prefix} {@code samples} times: samples {@code firstSample .. firstSample +
 * samples - 1} of request {@code requestId}. A sample's random stream depends only on (engine seed,
 * requestId, sample index), so asking for samples 0..3 at once or one by one, alone or next to
 * other requests, gives the same tokens.
 *
 * @param requestId names the request in results and errors, and seeds its samples
 * @param prefix the prompt (or prompt plus partial solution) to continue, at least one token
 * @param firstSample index of the first sample, >= 0 (e.g. to draw more samples of a state later)
 * @param samples continuations wanted, >= 1
 * @param params how to sample and when to stop
 */
public record GenerationRequest(
    String requestId, int[] prefix, int firstSample, int samples, SamplingParams params) {

  public GenerationRequest {
    if (requestId == null || requestId.isBlank()) {
      throw new IllegalArgumentException(
          "Invalid value '" + requestId + "' for requestId: must be non-blank");
    }
    if (prefix == null || prefix.length == 0) {
      throw new IllegalArgumentException(
          "Invalid prefix for request " + requestId + ": must have at least one token");
    }
    if (firstSample < 0) {
      throw new IllegalArgumentException(
          "Invalid value " + firstSample + " for firstSample of request " + requestId + ": >= 0");
    }
    if (samples < 1 || firstSample + (long) samples - 1 > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "Invalid value "
              + samples
              + " for samples of request "
              + requestId
              + ": must be >= 1 with the last sample index an int");
    }
    Objects.requireNonNull(params, "params of request " + requestId);
    prefix = prefix.clone();
  }

  /** Samples 0 .. samples - 1 of {@code prefix}. */
  public GenerationRequest(String requestId, int[] prefix, int samples, SamplingParams params) {
    this(requestId, prefix, 0, samples, params);
  }

  /** A copy of the prefix tokens. */
  @Override
  public int[] prefix() {
    return prefix.clone();
  }

  int prefixLength() {
    return prefix.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerationRequest r
        && requestId.equals(r.requestId)
        && Arrays.equals(prefix, r.prefix)
        && firstSample == r.firstSample
        && samples == r.samples
        && params.equals(r.params);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestId, Arrays.hashCode(prefix), firstSample, samples, params);
  }

  @Override
  public String toString() {
    return "GenerationRequest[requestId="
        + requestId
        + ", prefix="
        + Arrays.toString(prefix)
        + ", firstSample="
        + firstSample
        + ", samples="
        + samples
        + ", params="
        + params
        + "]";
  }
}
