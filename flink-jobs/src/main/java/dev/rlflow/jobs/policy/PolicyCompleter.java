package dev.rlflow.jobs.policy;

import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.reward.omega.Completer;
import dev.rlflow.reward.omega.Continuation;
import dev.rlflow.reward.omega.RolloutRequest;
import dev.rlflow.rollout.GenerationEngine;
import dev.rlflow.rollout.GenerationRequest;
import dev.rlflow.rollout.Sample;
import dev.rlflow.rollout.SamplingParams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy as the completer of Monte Carlo rollouts from solution prefixes, for OmegaPRM's label
 * searches and vineppo's step values alike: every call is one batched generation over many
 * requests, continuations of a shared prefix computed once per prefix. A prefix is put to the
 * policy as {@link PromptFormat#prompt(Tokenizer, String, List)} writes it, and a continuation
 * completes the solution {@link #solution} writes.
 *
 * <p>Samples of a prefix are numbered per (question, prefix): asking for the same prefix again
 * draws new samples (the next indices) rather than repeating the first ones, and the draws depend
 * only on the engine seed, the question, the prefix and that index — not on which other searches
 * share the call — so a collection is reproducible at any parallelism.
 */
public final class PolicyCompleter implements Completer {
  private final GenerationEngine engine;
  private final Tokenizer tokenizer;
  private final SamplingParams params;
  private final int maxSeqLen;
  private final Map<String, Map<String, Integer>> drawn = new HashMap<>();
  private long calls;
  private long rows;

  /**
   * @param engine generates the continuations; its seed and the requests' ids fix their draws
   * @param params how continuations are sampled; {@code maxNewTokens} is cut to the room a prefix
   *     leaves in {@code maxSeqLen}
   */
  public PolicyCompleter(
      GenerationEngine engine, Tokenizer tokenizer, SamplingParams params, int maxSeqLen) {
    this.engine = engine;
    this.tokenizer = tokenizer;
    this.params = params;
    this.maxSeqLen = maxSeqLen;
  }

  @Override
  public List<List<Continuation>> complete(List<RolloutRequest> requests) {
    List<GenerationRequest> generation = new ArrayList<>();
    List<Integer> generated = new ArrayList<>(); // index into generation, or -1: no room left
    for (RolloutRequest request : requests) {
      String prefixText = String.join("\n", request.prefixSteps());
      Map<String, Integer> ofQuestion =
          drawn.computeIfAbsent(request.question().id(), id -> new HashMap<>());
      int first = ofQuestion.getOrDefault(prefixText, 0);
      ofQuestion.put(prefixText, first + request.count());
      int[] prompt =
          PromptFormat.prompt(tokenizer, request.question().text(), request.prefixSteps());
      int room = Math.min(params.maxNewTokens(), maxSeqLen - prompt.length);
      if (room < 1) {
        generated.add(-1); // the prefix fills the context: no continuation fits
        continue;
      }
      generated.add(generation.size());
      generation.add(
          new GenerationRequest(
              request.question().id() + "|" + prefixText,
              prompt,
              first,
              request.count(),
              params.withMaxNewTokens(room)));
    }
    List<Sample> samples = generation.isEmpty() ? List.of() : engine.generate(generation);
    calls++;
    rows += samples.size();
    // Samples come back in request order, then sample order.
    List<List<Continuation>> out = new ArrayList<>(requests.size());
    int next = 0;
    for (int i = 0; i < requests.size(); i++) {
      List<Continuation> continuations = new ArrayList<>(requests.get(i).count());
      for (int s = 0; s < requests.get(i).count(); s++) {
        if (generated.get(i) < 0) {
          continuations.add(new Continuation("", 0));
        } else {
          int[] tokens = samples.get(next++).tokens();
          continuations.add(new Continuation(tokenizer.decode(tokens), tokens.length));
        }
      }
      out.add(continuations);
    }
    return out;
  }

  /** A complete solution: the prefix steps, then the continuation, as the policy wrote them. */
  public static String solution(List<String> prefixSteps, String continuation) {
    return prefixSteps.isEmpty()
        ? continuation
        : String.join("\n", prefixSteps) + "\n" + continuation;
  }

  /** Forgets the sample counters of a question whose search has ended. */
  public void forget(String questionId) {
    drawn.remove(questionId);
  }

  /** Generation calls so far. */
  public long calls() {
    return calls;
  }

  /** Continuations generated so far. */
  public long rows() {
    return rows;
  }
}
