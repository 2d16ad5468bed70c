package dev.rlflow.rollout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Drawing one token from one row of logits, in Java and in double precision, so that the draw
 * depends only on the row's logits and its own random stream, never on the rest of the batch.
 */
final class TokenSampler {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private TokenSampler() {}

  /**
   * The random stream of one sample: a {@link SplittableRandom} seeded by a 64-bit mix of (seed,
   * requestId, sampleIndex), so it does not depend on which other samples share the batch.
   */
  static SplittableRandom stream(long seed, String requestId, int sampleIndex) {
    long id = 0xcbf29ce484222325L; // FNV-1a 64 of the id's UTF-8 bytes
    for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) {
      id = (id ^ (b & 0xff)) * 0x100000001b3L;
    }
    long h = mix(seed + GOLDEN_GAMMA);
    h = mix(h ^ id);
    h = mix(h + GOLDEN_GAMMA * (sampleIndex + 1L));
    return new SplittableRandom(h);
  }

  /** The finalizer of SplitMix64 (Steele, Lea, Flood 2014), variant 13 of Stafford's mixers. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * The next token for {@code logits} (V): the argmax (lowest id on ties) when greedy, else one
   * inverse-CDF draw of {@code random.nextDouble()} over the tempered, top-k and top-p filtered
   * distribution, walked in token-id order.
   */
  static int sample(float[] logits, SamplingParams params, SplittableRandom random) {
    if (params.isGreedy()) {
      return argmax(logits);
    }
    int v = logits.length;
    boolean[] kept = kept(logits, params);
    double max = logits[argmax(logits)]; // the argmax is always kept
    double[] weights = new double[v];
    double total = 0;
    int last = 0;
    for (int i = 0; i < v; i++) {
      if (kept == null || kept[i]) {
        weights[i] = Math.exp((logits[i] - max) / params.temperature());
        total += weights[i];
        last = i;
      }
    }
    double u = random.nextDouble() * total;
    double cumulative = 0;
    for (int i = 0; i < v; i++) {
      cumulative += weights[i];
      if (u < cumulative) {
        return i;
      }
    }
    return last; // u within rounding of the total
  }

  /**
   * log softmax(logits / temperature)[token]: the log-prob of the token under the distribution it
   * was drawn from (before top-k and top-p, which RL refuses), in double from the float logits.
   *
   * @param temperature {@code > 0}; greedy decoding passes 1, the policy's own distribution
   */
  static float logProb(float[] logits, int token, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l / temperature);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l / temperature - max);
    }
    return (float) (logits[token] / temperature - max - Math.log(sum));
  }

  /** Lowest index of the largest logit. */
  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The tokens top-k and top-p keep, or null when they keep all. */
  private static boolean[] kept(float[] logits, SamplingParams params) {
    int v = logits.length;
    int k = params.topK() == 0 ? v : Math.min(params.topK(), v);
    if (k == v && params.topP() >= 1) {
      return null;
    }
    int[] order = descending(logits);
    if (params.topP() < 1) {
      // Mass of the top-k tokens after temperature; keep the shortest head reaching topP of it.
      double max = logits[order[0]];
      double[] weights = new double[k];
      double total = 0;
      for (int r = 0; r < k; r++) {
        weights[r] = Math.exp((logits[order[r]] - max) / params.temperature());
        total += weights[r];
      }
      double cumulative = 0;
      int nucleus = k;
      for (int r = 0; r < k; r++) {
        cumulative += weights[r];
        if (cumulative >= params.topP() * total) {
          nucleus = r + 1;
          break;
        }
      }
      k = nucleus;
    }
    boolean[] kept = new boolean[v];
    for (int r = 0; r < k; r++) {
      kept[order[r]] = true;
    }
    return kept;
  }

  /** Token ids by descending logit, ties by ascending id. */
  private static int[] descending(float[] logits) {
    long[] keys = new long[logits.length];
    for (int i = 0; i < logits.length; i++) {
      // Order-preserving int image of the float, negated for descending order; id in the low bits.
      int bits = Float.floatToIntBits(logits[i]);
      int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
      keys[i] = ((long) ~ordered << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[logits.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = (int) keys[i];
    }
    return order;
  }
}
