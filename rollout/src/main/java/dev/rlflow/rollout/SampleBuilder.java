package dev.rlflow.rollout;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/** The growing state of one sample while it decodes: tokens, log-probs and whether it stopped. */
final class SampleBuilder {
  private final GenerationRequest request;
  private final int sampleIndex;
  private final int[] prefix;
  private final SplittableRandom random;
  private final IntFunction<String> tokenText;
  private final StringBuilder text = new StringBuilder();
  private int[] tokens;
  private float[] logProbs;
  private int size;
  private FinishReason finish;

  SampleBuilder(
      GenerationRequest request,
      int sampleIndex,
      SplittableRandom random,
      IntFunction<String> tokenText) {
    this.request = request;
    this.sampleIndex = sampleIndex;
    this.prefix = request.prefix();
    this.random = random;
    this.tokenText = tokenText;
    int capacity = Math.min(request.params().maxNewTokens(), 64);
    this.tokens = new int[capacity];
    this.logProbs = new float[capacity];
  }

  /** Draws the next token from the row's logits (V) and records why it stops, if it does. */
  void accept(float[] logits) {
    SamplingParams params = request.params();
    int token = TokenSampler.sample(logits, params, random);
    if (size == tokens.length) {
      tokens = Arrays.copyOf(tokens, 2 * size);
      logProbs = Arrays.copyOf(logProbs, 2 * size);
    }
    tokens[size] = token;
    logProbs[size] = TokenSampler.logProb(logits, token, params.logProbTemperature());
    size++;
    if (params.stopTokenIds().contains(token)) {
      finish = FinishReason.EOS;
    } else if (completesStopString(token, params)) {
      finish = FinishReason.STOP_STRING;
    } else if (size == params.maxNewTokens()) {
      finish = FinishReason.LENGTH;
    }
  }

  /** True when the text up to {@code token} contains a stop string that it did not before. */
  private boolean completesStopString(int token, SamplingParams params) {
    if (params.stopStrings().isEmpty()) {
      return false;
    }
    int before = text.length();
    text.append(tokenText.apply(token));
    for (String stop : params.stopStrings()) {
      if (text.indexOf(stop, Math.max(0, before - stop.length() + 1)) >= 0) {
        return true;
      }
    }
    return false;
  }

  boolean finished() {
    return finish != null;
  }

  int lastToken() {
    return tokens[size - 1];
  }

  int[] prefix() {
    return prefix;
  }

  /** Prefix followed by the tokens so far. */
  int[] sequence() {
    int[] sequence = Arrays.copyOf(prefix, prefix.length + size);
    System.arraycopy(tokens, 0, sequence, prefix.length, size);
    return sequence;
  }

  /** The finished sample; a step ends at every step-end token and at the last token. */
  Sample build(Set<Integer> stepEndTokenIds) {
    int[] ends = new int[size];
    int count = 0;
    for (int i = 0; i < size; i++) {
      if (stepEndTokenIds.contains(tokens[i]) || i == size - 1) {
        ends[count++] = i;
      }
    }
    return new Sample(
        request.requestId(),
        sampleIndex,
        Arrays.copyOf(tokens, size),
        Arrays.copyOf(logProbs, size),
        Arrays.copyOf(ends, count),
        finish);
  }
}
