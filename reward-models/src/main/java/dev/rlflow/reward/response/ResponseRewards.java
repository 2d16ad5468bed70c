package dev.rlflow.reward.response;

import dev.rlflow.core.config.RewardConfig;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.reward.prm.StepSequence;
import dev.rlflow.reward.verifier.OutcomeVerifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The rewards of sampled responses (ALGORITHMS.md §3): the verifier's outcome reward ({@code
 * reward.outcome_weight} when {@code reward.verifier} accepts the response, else 0) and, with a
 * PRM, a reward on every step's last token: {@code reward.step_weight * (score - threshold)}, the
 * PRM's score centred on its own decision threshold, so a step the PRM judges wrong costs and one
 * it judges right pays.
 *
 * <p>Steps are the response's token segments ending at its step ends; a blank segment (a stop token
 * alone after the last newline) is no step: its end is dropped from the scored response's step
 * ends, so that it neither counts in process GRPO's step statistics (ALGORITHMS.md §3) nor stops
 * raft's accepted prefix. A response whose segments are all blank gets no step rewards at all. The
 * steps of all responses go to the PRM in one call.
 */
public final class ResponseRewards {

  /** A process reward model's view of steps: per sequence, the score of each of its steps. */
  @FunctionalInterface
  public interface StepScorer {
    /** One row per sequence, one score per step of it. */
    double[][] score(List<StepSequence> sequences);
  }

  private final RewardConfig config;
  private final Tokenizer tokenizer;
  private final StepScorer prm; // null: outcome rewards only
  private final double threshold;

  private ResponseRewards(
      RewardConfig config, Tokenizer tokenizer, StepScorer prm, double threshold) {
    this.config = Objects.requireNonNull(config, "config");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.prm = prm;
    this.threshold = threshold;
  }

  /** Outcome rewards only; responses are decoded with {@code tokenizer}. */
  public static ResponseRewards outcomeOnly(RewardConfig config, Tokenizer tokenizer) {
    return new ResponseRewards(config, tokenizer, null, 0);
  }

  /** Outcome rewards and step rewards from {@code prm}, centred on its {@code threshold}. */
  public static ResponseRewards withSteps(
      RewardConfig config, Tokenizer tokenizer, StepScorer prm, double threshold) {
    Objects.requireNonNull(prm, "prm");
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException(
          "Invalid value " + threshold + " for threshold: must be finite");
    }
    return new ResponseRewards(config, tokenizer, prm, threshold);
  }

  /** The rewards of {@code responses}, in their order. */
  public List<ScoredResponse> score(List<Response> responses) {
    List<ScoredResponse> scored = new ArrayList<>(responses.size());
    List<StepSequence> sequences = new ArrayList<>();
    List<int[]> stepOfSegment = new ArrayList<>();
    List<Integer> withSteps = new ArrayList<>(); // responses with at least one non-blank step
    for (Response r : responses) {
      String text = tokenizer.decode(r.tokens());
      Prompt p = r.prompt();
      boolean correct =
          OutcomeVerifier.of(config.verifier(), p.problemId(), p.question(), p.answer())
              .correct(text);
      scored.add(ScoredResponse.outcomeOnly(r, correct, correct ? config.outcomeWeight() : 0));
      if (prm != null) {
        List<String> steps = new ArrayList<>();
        int[] segmentStep = segments(r, steps);
        if (!steps.isEmpty()) {
          sequences.add(StepSequence.encode(tokenizer, p.question(), steps));
          stepOfSegment.add(segmentStep);
          withSteps.add(scored.size() - 1);
        }
      }
    }
    if (prm != null) {
      double[][] scores = prm.score(sequences);
      for (int n = 0; n < withSteps.size(); n++) {
        int i = withSteps.get(n);
        int[] segmentStep = stepOfSegment.get(n);
        int[] segmentEnds = scored.get(i).response().stepEnds();
        int count = (int) Arrays.stream(segmentStep).filter(step -> step >= 0).count();
        int[] ends = new int[count];
        double[] rewards = new double[count];
        for (int k = 0; k < segmentStep.length; k++) {
          int step = segmentStep[k];
          if (step >= 0) {
            ends[step] = segmentEnds[k];
            rewards[step] = config.stepWeight() * (scores[n][step] - threshold);
          }
        }
        scored.set(i, scored.get(i).withSteps(ends, rewards));
      }
    }
    return scored;
  }

  /**
   * Splits the response at its step ends into the non-blank step texts (added to {@code steps});
   * returns, per step end, the index of its step in {@code steps}, or -1 for a blank segment.
   */
  private int[] segments(Response r, List<String> steps) {
    int[] ends = r.stepEnds();
    int[] tokens = r.tokens();
    int[] segmentStep = new int[ends.length];
    int from = 0;
    for (int k = 0; k < ends.length; k++) {
      String text = tokenizer.decode(Arrays.copyOfRange(tokens, from, ends[k] + 1)).strip();
      from = ends[k] + 1;
      if (text.isEmpty()) {
        segmentStep[k] = -1;
      } else {
        segmentStep[k] = steps.size();
        steps.add(text);
      }
    }
    return segmentStep;
  }
}
