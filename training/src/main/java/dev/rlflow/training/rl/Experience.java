package dev.rlflow.training.rl;

import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.training.advantage.Steps;
import java.util.Arrays;
import java.util.Objects;

/**
 * The trainer's per-token working set of one sampled response: per response token, the
 * log-probabilities under the sampling policy and the reference policy and the critic's values; the
 * PRM's step rewards, vineppo's Monte Carlo step values and the outcome reward.
 *
 * @param group the prompt the response answers: GRPO and RLOO compare responses of equal group
 * @param logProbs log pi_old of each response token: the policy's before this iteration's first
 *     update, finite, at least one
 * @param refLogProbs log pi_ref of each response token, finite, same length
 * @param values the critic's value of each response token, same length; empty without a critic
 * @param steps the response's reasoning steps and their rewards, ending inside it; {@link
 *     Steps#none()} without a PRM or step values
 * @param outcome the reward of the whole response (the verifier's or reward model's), finite
 * @param stepValues empty, or V̂ of the prefix ending at each step (vineppo), finite or NaN for the
 *     last step, whose value is {@code outcome}
 */
public record Experience(
    int group,
    double[] logProbs,
    double[] refLogProbs,
    double[] values,
    Steps steps,
    double outcome,
    double[] stepValues) {

  public Experience {
    if (logProbs.length < 1) {
      throw new IllegalArgumentException("Invalid length 0 of logProbs: must be >= 1");
    }
    requireLength("refLogProbs", refLogProbs.length, logProbs.length);
    if (values.length != 0) {
      requireLength("values", values.length, logProbs.length);
    }
    requireFinite("logProbs", logProbs);
    requireFinite("refLogProbs", refLogProbs);
    requireFinite("values", values);
    steps.requireWithin(logProbs.length);
    if (!Double.isFinite(outcome)) {
      throw new IllegalArgumentException(
          "Invalid value " + outcome + " for outcome: must be finite");
    }
    if (stepValues.length != 0 && stepValues.length != steps.count()) {
      throw new IllegalArgumentException(
          "Invalid length "
              + stepValues.length
              + " of stepValues: must be 0 or the number of steps ("
              + steps.count()
              + ")");
    }
    if (stepValues.length > 0) {
      requireFinite("stepValues", Arrays.copyOf(stepValues, stepValues.length - 1));
    }
    logProbs = logProbs.clone();
    refLogProbs = refLogProbs.clone();
    values = values.clone();
    stepValues = stepValues.clone();
  }

  /** A working set without step values. */
  public Experience(
      int group,
      double[] logProbs,
      double[] refLogProbs,
      double[] values,
      Steps steps,
      double outcome) {
    this(group, logProbs, refLogProbs, values, steps, outcome, new double[0]);
  }

  /**
   * The working set of {@code scored} with its sampler's log-probs as log pi_old; see {@link
   * #of(ScoredResponse, double[], double[], double[])}.
   */
  static Experience of(ScoredResponse scored, double[] refLogProbs, double[] values) {
    return of(scored, TokenScores.widen(scored.response().logProbs()), refLogProbs, values);
  }

  /**
   * The working set of {@code scored}: {@code oldLogProbs} as log pi_old, {@code refLogProbs},
   * {@code values} (empty without a critic), its steps ({@link #steps(ScoredResponse)}), its
   * outcome and its step values.
   */
  static Experience of(
      ScoredResponse scored, double[] oldLogProbs, double[] refLogProbs, double[] values) {
    return new Experience(
        scored.prompt().group(),
        oldLogProbs,
        refLogProbs,
        values,
        steps(scored),
        scored.outcome(),
        scored.response().stepValues());
  }

  /**
   * The steps of {@code scored} with their rewards, 0 each when only step values mark them; {@link
   * Steps#none()} without either.
   */
  static Steps steps(ScoredResponse scored) {
    Response r = scored.response();
    if (scored.hasStepRewards()) {
      return new Steps(r.stepEnds(), scored.stepRewards());
    }
    return r.stepValues().length > 0
        ? new Steps(r.stepEnds(), new double[r.stepEnds().length])
        : Steps.none();
  }

  /** The sampling policy's log-probabilities (a copy). */
  @Override
  public double[] logProbs() {
    return logProbs.clone();
  }

  /** The reference policy's log-probabilities (a copy). */
  @Override
  public double[] refLogProbs() {
    return refLogProbs.clone();
  }

  /** The critic's values (a copy), empty without a critic. */
  @Override
  public double[] values() {
    return values.clone();
  }

  /** The step values (a copy), empty unless vineppo estimated them. */
  @Override
  public double[] stepValues() {
    return stepValues.clone();
  }

  /** The number of response tokens. */
  public int tokens() {
    return logProbs.length;
  }

  /** Whether a critic valued the tokens. */
  public boolean hasValues() {
    return values.length > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Experience e
        && group == e.group
        && Arrays.equals(logProbs, e.logProbs)
        && Arrays.equals(refLogProbs, e.refLogProbs)
        && Arrays.equals(values, e.values)
        && steps.equals(e.steps)
        && Double.compare(outcome, e.outcome) == 0
        && Arrays.equals(stepValues, e.stepValues);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        group,
        Arrays.hashCode(logProbs),
        Arrays.hashCode(refLogProbs),
        Arrays.hashCode(values),
        steps,
        outcome,
        Arrays.hashCode(stepValues));
  }

  @Override
  public String toString() {
    return "Experience[group="
        + group
        + ", logProbs="
        + Arrays.toString(logProbs)
        + ", refLogProbs="
        + Arrays.toString(refLogProbs)
        + ", values="
        + Arrays.toString(values)
        + ", steps="
        + steps
        + ", outcome="
        + outcome
        + ", stepValues="
        + Arrays.toString(stepValues)
        + "]";
  }

  private static void requireLength(String name, int length, int tokens) {
    if (length != tokens) {
      throw new IllegalArgumentException(
          "Invalid length "
              + length
              + " of "
              + name
              + ": must equal the response length, the length of logProbs ("
              + tokens
              + ")");
    }
  }

  private static void requireFinite(String name, double[] values) {
    for (int t = 0; t < values.length; t++) {
      if (!Double.isFinite(values[t])) {
        throw new IllegalArgumentException(
            "Invalid value " + values[t] + " for " + name + "[" + t + "]: must be finite");
      }
    }
  }
}
