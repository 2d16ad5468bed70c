package dev.rlflow.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.KvCache;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.ModelOutput;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Samples continuations of many prefixes from a policy in one batch: each distinct prefix is run
 * through the model once, its KV cache rows are repeated for its samples, and all samples then
 * decode together one token per step, finished ones leaving the batch.
 *
 * <p>Deterministic: a sample's tokens depend only on the policy, the engine seed, its request's
 * prefix and parameters, and (requestId, sample index), not on which other requests share the
 * batch, the padding side, or whether the KV cache is used (up to float rounding of the logits,
 * which moves a draw only when it falls within that rounding of a CDF boundary).
 *
 * <p>Log-probs are of the tempered distribution each token was drawn from (see {@link
 * Sample#logProbs()}). {@link #generate} switches autograd off on the calling thread and restores
 * it after.
 *
 * <p>Not thread-safe: one engine per thread. The policy's weights must not change while {@link
 * #generate} runs (another thread training them gives torn reads): hand the engine a copy or a
 * published version, never live training arrays.
 *
 * <p>Long because prefill, KV-cache row repetition, per-step sampling and retiring finished rows
 * are one loop over shared state, read best as one algorithm.
 */
public final class GenerationEngine {
  /** Which side of a shorter prefix the padding goes. */
  public enum Padding {
    LEFT,
    RIGHT
  }

  /**
   * How the engine batches.
   *
   * @param maxBatch most samples decoded at once; more are decoded in consecutive batches (a prefix
   *     whose samples straddle two batches is computed once in each)
   * @param padding side of the padding of shorter prefixes
   * @param kvCache reuse keys and values across steps; false recomputes the whole sequence at every
   *     step (the baseline of the benchmark; same tokens, much slower)
   */
  public record Options(int maxBatch, Padding padding, boolean kvCache) {
    /** 256 samples at once, left padding, KV cache on. */
    public static final Options DEFAULT = new Options(256, Padding.LEFT, true);

    public Options {
      if (maxBatch < 1) {
        throw new IllegalArgumentException(
            "Invalid value " + maxBatch + " for maxBatch: must be >= 1");
      }
      Objects.requireNonNull(padding, "padding");
    }

    public Options withMaxBatch(int maxBatch) {
      return new Options(maxBatch, padding, kvCache);
    }

    public Options withPadding(Padding padding) {
      return new Options(maxBatch, padding, kvCache);
    }

    public Options withKvCache(boolean kvCache) {
      return new Options(maxBatch, padding, kvCache);
    }
  }

  /**
   * Work done since the engine was made.
   *
   * @param prefillRows rows of the prefix forward passes: one per distinct prefix per batch with
   *     the KV cache, one per sample without
   * @param decodeSteps forward passes after the prefix pass, each one token for every live sample
   * @param decodeRows rows of those passes: finished samples leave the batch, so fewer than {@code
   *     decodeSteps} times the batch size
   * @param generatedTokens tokens sampled
   */
  public record Stats(long prefillRows, long decodeSteps, long decodeRows, long generatedTokens) {}

  private final TransformerModel policy;
  private final long seed;
  private final Set<Integer> stepEndTokenIds;
  private final IntFunction<String> tokenText;
  private final Options options;
  private long prefillRows;
  private long decodeSteps;
  private long decodeRows;
  private long generatedTokens;

  /** An engine with {@link Options#DEFAULT}. */
  public GenerationEngine(
      TransformerModel policy,
      long seed,
      Set<Integer> stepEndTokenIds,
      IntFunction<String> tokenText) {
    this(policy, seed, stepEndTokenIds, tokenText, Options.DEFAULT);
  }

  /**
   * An engine sampling from {@code policy} (an LM head) with random streams derived from {@code
   * seed}; {@code stepEndTokenIds} mark the tokens that close a reasoning step, and {@code
   * tokenText} gives a token's text (only stop strings use it).
   */
  public GenerationEngine(
      TransformerModel policy,
      long seed,
      Set<Integer> stepEndTokenIds,
      IntFunction<String> tokenText,
      Options options) {
    if (policy.head() != TransformerModel.Head.LM) {
      throw new IllegalArgumentException(
          "Invalid policy head " + policy.head() + ": generation needs an LM head");
    }
    this.policy = policy;
    this.seed = seed;
    this.stepEndTokenIds = Set.copyOf(stepEndTokenIds);
    this.tokenText = Objects.requireNonNull(tokenText, "tokenText");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Samples every request's continuations; returns them in request order, then sample order.
   *
   * @throws IllegalArgumentException naming the request when its prefix plus {@code maxNewTokens}
   *     exceeds the model's {@code maxSeqLen}, a prefix token is outside the vocabulary, or two
   *     requests ask for the same (requestId, sample index)
   */
  public List<Sample> generate(List<GenerationRequest> requests) {
    List<SampleBuilder> samples = expand(requests);
    // Samples of one prefix next to each other, so a prefix is computed once per batch.
    Map<PrefixKey, List<SampleBuilder>> byPrefix = new LinkedHashMap<>();
    for (SampleBuilder s : samples) {
      byPrefix.computeIfAbsent(new PrefixKey(s.prefix()), k -> new ArrayList<>()).add(s);
    }
    List<SampleBuilder> ordered = byPrefix.values().stream().flatMap(List::stream).toList();
    InferenceMode inference = InferenceMode.enter();
    try {
      for (int from = 0; from < ordered.size(); from += options.maxBatch()) {
        List<SampleBuilder> batch =
            ordered.subList(from, Math.min(ordered.size(), from + options.maxBatch()));
        if (options.kvCache()) {
          decodeCached(batch);
        } else {
          decodeUncached(batch);
        }
      }
    } finally {
      inference.close();
    }
    return samples.stream().map(s -> s.build(stepEndTokenIds)).toList();
  }

  /** Work done so far. */
  public Stats stats() {
    return new Stats(prefillRows, decodeSteps, decodeRows, generatedTokens);
  }

  private List<SampleBuilder> expand(List<GenerationRequest> requests) {
    ModelConfig config = policy.config();
    Set<SampleId> seen = new HashSet<>();
    List<SampleBuilder> samples = new ArrayList<>();
    for (GenerationRequest r : requests) {
      Objects.requireNonNull(r, "request");
      int length = r.prefixLength() + r.params().maxNewTokens();
      if (length > config.maxSeqLen()) {
        throw new IllegalArgumentException(
            "Request "
                + r.requestId()
                + ": prefix of "
                + r.prefixLength()
                + " tokens + maxNewTokens "
                + r.params().maxNewTokens()
                + " = "
                + length
                + " exceeds the model's maxSeqLen "
                + config.maxSeqLen());
      }
      int[] prefix = r.prefix();
      for (int i = 0; i < prefix.length; i++) {
        if (prefix[i] < 0 || prefix[i] >= config.vocabSize()) {
          throw new IllegalArgumentException(
              "Request "
                  + r.requestId()
                  + ": prefix token "
                  + prefix[i]
                  + " at index "
                  + i
                  + " is outside the vocabulary [0, "
                  + config.vocabSize()
                  + ")");
        }
      }
      for (int i = r.firstSample(); i < r.firstSample() + r.samples(); i++) {
        if (!seen.add(new SampleId(r.requestId(), i))) {
          throw new IllegalArgumentException(
              "Request " + r.requestId() + ": sample " + i + " is asked for twice");
        }
        samples.add(
            new SampleBuilder(r, i, TokenSampler.stream(seed, r.requestId(), i), tokenText));
      }
    }
    return samples;
  }

  /**
   * One prefix pass over the batch's distinct prefixes, its cache rows repeated per sample, then
   * one cached step per token. Each step's arrays live in a sub-manager closed at the step's end;
   * the cache moves from one step's scope to the next, and the previous scope is closed.
   */
  private void decodeCached(List<SampleBuilder> batch) {
    Map<PrefixKey, Integer> slots = new LinkedHashMap<>();
    long[] slotOf = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      slotOf[i] = slots.computeIfAbsent(new PrefixKey(batch.get(i).prefix()), k -> slots.size());
    }
    PaddedBatch prefixes =
        PaddedBatch.of(slots.keySet().stream().map(PrefixKey::tokens).toList(), options.padding());
    DataType dtype = policy.dtype();
    NDManager scope = policy.manager().newSubManager();
    try {
      float[][] logits = new float[batch.size()][];
      KvCache cache;
      try (NDManager step = policy.manager().newSubManager()) {
        ModelOutput out = policy.forward(prefixes.input(step, dtype), null, false);
        float[][] prefixLogits = prefixes.lastLogits(out.output()); // (distinct, V)
        for (int i = 0; i < batch.size(); i++) {
          logits[i] = prefixLogits[(int) slotOf[i]];
        }
        // (distinct, G, L, D) -> (samples, G, L, D)
        cache = out.cache().select(step.create(slotOf)).attach(scope);
      }
      prefillRows += slots.size();
      int[] live = range(batch.size());
      while (true) {
        int[] next = sample(batch, live, logits);
        if (next.length == 0) {
          return;
        }
        NDManager nextScope = policy.manager().newSubManager();
        try (NDManager step = policy.manager().newSubManager()) {
          KvCache current =
              next.length == live.length ? cache : cache.select(step.create(rowsOf(next, live)));
          int b = next.length;
          int s = Math.toIntExact(current.length()) + 1;
          long[] tokens = new long[b]; // (B, 1)
          float[] valid = new float[b * s]; // (B, S + 1): prefix mask, then every generated token
          for (int r = 0; r < b; r++) {
            tokens[r] = batch.get(next[r]).lastToken();
            prefixes.copyValid((int) slotOf[next[r]], valid, r * s);
            Arrays.fill(valid, r * s + prefixes.width(), (r + 1) * s, 1f);
          }
          ModelInput input =
              ModelInput.of(
                  step.create(tokens, new Shape(b, 1)), step.create(valid, new Shape(b, s)), dtype);
          ModelOutput out = policy.forward(input, current, false);
          logits = rows(out.output().reshape(b, -1)); // (B, 1, V) -> (B, V)
          cache = out.cache().attach(nextScope);
        } catch (RuntimeException | Error e) {
          nextScope.close();
          throw e;
        }
        scope.close();
        scope = nextScope;
        live = next;
        decodeSteps++;
        decodeRows += next.length;
      }
    } finally {
      scope.close();
    }
  }

  /** The whole sequence of every live sample through the model at every step, no cache. */
  private void decodeUncached(List<SampleBuilder> batch) {
    int[] live = range(batch.size());
    boolean first = true;
    while (live.length > 0) {
      List<int[]> sequences = new ArrayList<>(live.length);
      for (int i : live) {
        sequences.add(batch.get(i).sequence());
      }
      PaddedBatch padded = PaddedBatch.of(sequences, options.padding());
      float[][] logits;
      try (NDManager step = policy.manager().newSubManager()) {
        ModelOutput out = policy.forward(padded.input(step, policy.dtype()), null, false);
        logits = padded.lastLogits(out.output());
      }
      if (first) {
        prefillRows += live.length;
        first = false;
      } else {
        decodeSteps++;
        decodeRows += live.length;
      }
      live = sample(batch, live, logits);
    }
  }

  /** Draws a token for every live sample (row r of logits for live[r]); returns those not done. */
  private int[] sample(List<SampleBuilder> batch, int[] live, float[][] logits) {
    int[] next = new int[live.length];
    int count = 0;
    for (int r = 0; r < live.length; r++) {
      SampleBuilder s = batch.get(live[r]);
      s.accept(logits[r]);
      if (!s.finished()) {
        next[count++] = live[r];
      }
    }
    generatedTokens += live.length;
    return Arrays.copyOf(next, count);
  }

  /** Positions in {@code live} (ascending) of the entries of {@code kept} (a subsequence). */
  private static long[] rowsOf(int[] kept, int[] live) {
    long[] rows = new long[kept.length];
    int r = 0;
    for (int k = 0; k < kept.length; k++) {
      while (live[r] != kept[k]) {
        r++;
      }
      rows[k] = r;
    }
    return rows;
  }

  private static int[] range(int n) {
    int[] all = new int[n];
    Arrays.setAll(all, i -> i);
    return all;
  }

  /** A (B, V) array as B Java rows of float32. */
  static float[][] rows(NDArray logits) {
    int b = Math.toIntExact(logits.getShape().get(0));
    int v = Math.toIntExact(logits.getShape().get(1));
    float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
    float[][] rows = new float[b][];
    for (int r = 0; r < b; r++) {
      rows[r] = Arrays.copyOfRange(flat, r * v, (r + 1) * v);
    }
    return rows;
  }

  private record SampleId(String requestId, int index) {}

  /** Prefix tokens compared by content. */
  private record PrefixKey(int[] tokens) {
    @Override
    public boolean equals(Object o) {
      return o instanceof PrefixKey k && Arrays.equals(tokens, k.tokens);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
      return Arrays.toString(tokens);
    }
  }
}
