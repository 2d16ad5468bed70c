package dev.rlflow.rollout;

import dev.rlflow.core.config.RolloutConfig;
import java.util.List;
import java.util.Set;

/**
 * How the next token is drawn and when a sample stops. The filters apply in the order temperature,
 * top-k, top-p, as in Hugging Face's logits warpers; temperature 0 is greedy decoding (argmax,
 * top-k and top-p ignored).
 *
 * @param temperature divides the logits before the softmax; 0 means greedy
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose probability (after temperature and
 *     top-k) reaches this mass; 1 keeps all
 * @param maxNewTokens most tokens a sample may have
 * @param stopTokenIds tokens that end a sample (EOS); the stop token is kept as its last token
 * @param stopStrings texts that end a sample once the text of its generated tokens (the prefix's is
 *     not searched) contains one; the token completing it is kept
 */
public record SamplingParams(
    double temperature,
    int topK,
    double topP,
    int maxNewTokens,
    Set<Integer> stopTokenIds,
    List<String> stopStrings) {

  public SamplingParams {
    require(
        Double.isFinite(temperature) && temperature >= 0,
        "temperature",
        temperature,
        "finite and >= 0 (0 is greedy)");
    require(topK >= 0, "topK", topK, ">= 0 (0 keeps all tokens)");
    require(topP > 0 && topP <= 1, "topP", topP, "in (0, 1] (1 keeps all tokens)");
    require(maxNewTokens >= 1, "maxNewTokens", maxNewTokens, ">= 1");
    require(stopTokenIds != null, "stopTokenIds", null, "a set (empty for none)");
    require(stopStrings != null, "stopStrings", null, "a list (empty for none)");
    for (Integer id : stopTokenIds) {
      require(id != null && id >= 0, "stopTokenIds", stopTokenIds, "token ids >= 0");
    }
    for (String s : stopStrings) {
      require(s != null && !s.isEmpty(), "stopStrings", stopStrings, "non-empty strings");
    }
    stopTokenIds = Set.copyOf(stopTokenIds);
    stopStrings = List.copyOf(stopStrings);
  }

  /** Greedy decoding of at most {@code maxNewTokens} tokens, no stop tokens or strings. */
  public static SamplingParams greedy(int maxNewTokens) {
    return new SamplingParams(0, 0, 1, maxNewTokens, Set.of(), List.of());
  }

  /** The sampling settings of a run's {@code rollout} section, with the tokenizer's stops. */
  public static SamplingParams of(
      RolloutConfig rollout, Set<Integer> stopTokenIds, List<String> stopStrings) {
    return new SamplingParams(
        rollout.temperature(),
        rollout.topK(),
        rollout.topP(),
        rollout.maxNewTokens(),
        stopTokenIds,
        stopStrings);
  }

  /** These parameters with another {@code maxNewTokens}. */
  public SamplingParams withMaxNewTokens(int maxNewTokens) {
    return new SamplingParams(temperature, topK, topP, maxNewTokens, stopTokenIds, stopStrings);
  }

  /** These parameters at another {@code temperature}. */
  public SamplingParams withTemperature(double temperature) {
    return new SamplingParams(temperature, topK, topP, maxNewTokens, stopTokenIds, stopStrings);
  }

  /** True for temperature 0: the most likely token, no random draw. */
  public boolean isGreedy() {
    return temperature == 0;
  }

  /**
   * The temperature of the distribution a sample's log-probs are of: the sampling temperature,
   * since the draw is from softmax(logits / T), and 1 for greedy decoding, which draws from no
   * distribution and reports the policy's own.
   */
  public double logProbTemperature() {
    return isGreedy() ? 1 : temperature;
  }

  private static void require(boolean ok, String field, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(
          "Invalid value " + value + " for " + field + ": must be " + rule);
    }
  }
}
