package dev.rlflow.jobs.policy;

import dev.rlflow.jobs.problem.ProblemRecord;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.rollout.GenerationRequest;
import dev.rlflow.rollout.SamplingParams;
import dev.rlflow.training.sft.SftExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a problem meets the policy: the prompt is {@code <bos> question \n}, the response the
 * solution followed by {@code <eos>} (the token layout of {@link SftExample#encode}). Training,
 * generation and scoring all use it, so a model trained by SFT is prompted as it was taught.
 */
public final class PromptFormat {
  private PromptFormat() {}

  /** A demonstration: the question as prompt, the reference solution as response. */
  public static SftExample example(Tokenizer tokenizer, String question, String solution) {
    return SftExample.encode(tokenizer, question + "\n", solution);
  }

  /**
   * Per problem, a greedy solution and then {@code samples} sampled at {@code temperature} (none
   * when 0), each of at most {@code maxNew} tokens, ending at eos: what evaluation asks of the
   * policy. Samples come back in this order: problem by problem, greedy first.
   */
  public static List<GenerationRequest> greedyAndSampled(
      Tokenizer tokenizer,
      List<ProblemRecord> problems,
      int samples,
      double temperature,
      int maxNew) {
    Set<Integer> stop = Set.of(tokenizer.eosId());
    SamplingParams greedy = new SamplingParams(0, 0, 1, maxNew, stop, List.of());
    SamplingParams sampled = new SamplingParams(temperature, 0, 1, maxNew, stop, List.of());
    List<GenerationRequest> requests = new ArrayList<>();
    for (ProblemRecord p : problems) {
      int[] prompt = prompt(tokenizer, p.question());
      requests.add(new GenerationRequest(p.id() + "/greedy", prompt, 1, greedy));
      if (samples > 0) {
        requests.add(new GenerationRequest(p.id() + "/sampled", prompt, samples, sampled));
      }
    }
    return requests;
  }

  /** The prompt tokens of a question. */
  public static int[] prompt(Tokenizer tokenizer, String question) {
    return example(tokenizer, question, "").prompt();
  }

  /**
   * The tokens the policy continues from after the first solution steps {@code prefixSteps}: the
   * prompt, then each step and its newline, as SFT taught them.
   */
  public static int[] prompt(Tokenizer tokenizer, String question, List<String> prefixSteps) {
    StringBuilder text = new StringBuilder(question).append('\n');
    for (String step : prefixSteps) {
      text.append(step).append('\n');
    }
    return SftExample.encode(tokenizer, text.toString(), "").prompt();
  }
}
