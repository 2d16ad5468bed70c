package dev.rlflow.core.rl;

import java.util.Arrays;
import java.util.Objects;

/**
 * A response with its rewards: what the trainer learns from.
 *
 * @param response the sampled response
 * @param correct the verifier's verdict ({@code reward.verifier})
 * @param outcome the weighted outcome reward, on the last token, finite
 * @param stepRewards the weighted reward of each step ending at {@code response.stepEnds()}; empty
 *     when no PRM scores steps
 */
public record ScoredResponse(
    Response response, boolean correct, double outcome, double[] stepRewards) {

  public ScoredResponse {
    Objects.requireNonNull(response, "response");
    if (!Double.isFinite(outcome)) {
      throw new IllegalArgumentException(
          "Invalid value " + outcome + " for outcome: must be finite");
    }
    int steps = response.stepEnds().length;
    if (stepRewards.length != 0 && stepRewards.length != steps) {
      throw new IllegalArgumentException(
          "Invalid length "
              + stepRewards.length
              + " of stepRewards: must be 0 or the number of step ends ("
              + steps
              + ")");
    }
    stepRewards = stepRewards.clone();
  }

  /** A response scored by its outcome alone. */
  public static ScoredResponse outcomeOnly(Response response, boolean correct, double outcome) {
    return new ScoredResponse(response, correct, outcome, new double[0]);
  }

  /**
   * This response with its steps replaced: {@code stepEnds} (a subset of the sampled ones, e.g.
   * without the blank segments a reward model does not count as steps) rewarded {@code
   * stepRewards}.
   */
  public ScoredResponse withSteps(int[] stepEnds, double[] stepRewards) {
    return new ScoredResponse(response.withStepEnds(stepEnds), correct, outcome, stepRewards);
  }

  /** The step rewards (a copy), empty without a PRM. */
  @Override
  public double[] stepRewards() {
    return stepRewards.clone();
  }

  /** Whether a PRM rewarded the steps. */
  public boolean hasStepRewards() {
    return stepRewards.length > 0;
  }

  /** The prompt the response answers. */
  public Prompt prompt() {
    return response.prompt();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScoredResponse s
        && response.equals(s.response)
        && correct == s.correct
        && Double.compare(outcome, s.outcome) == 0
        && Arrays.equals(stepRewards, s.stepRewards);
  }

  @Override
  public int hashCode() {
    return Objects.hash(response, correct, outcome, Arrays.hashCode(stepRewards));
  }

  @Override
  public String toString() {
    return "ScoredResponse[response="
        + response
        + ", correct="
        + correct
        + ", outcome="
        + outcome
        + ", stepRewards="
        + Arrays.toString(stepRewards)
        + "]";
  }
}
