package dev.rlflow.reward.omega;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.AlgorithmConfig.McProbes;
import dev.rlflow.reward.omega.MonteCarloStepValues.Estimate;
import dev.rlflow.reward.omega.MonteCarloStepValues.Trajectory;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MonteCarloStepValuesTest {

  /**
   * A response of 8 steps whose step 6 is its first wrong one, continued by a policy whose k = 4
   * rollouts from a prefix of t steps are right {@code RIGHT[t]} times: some for t < 6, none after.
   */
  private static final int[] RIGHT = {4, 4, 3, 3, 2, 1, 0, 0};

  @Test
  void firstErrorProbesTheBinarySearchAndAssemblesTheValues() {
    // ALGORITHMS.md §1: first error j = 6 of M = 8 -> probes of 4, 6, 5 steps, MC .5, 0, .25.
    // Values of s_1 .. s_7: s_1-s_3 unprobed take s_4's .5; s_4 .5, s_5 .25; s_6 (ends at the
    // erring step) and s_7 are 0. 3 probes x 4 = 12 rollouts, against 7 x 4 = 28 every step.
    ScriptedCompleter policy = fresh();
    Estimate estimate =
        MonteCarloStepValues.estimate(List.of(wrong(8)), policy, 4, McProbes.FIRST_ERROR).get(0);

    assertThat(estimate.values()).containsExactly(.5, .5, .5, .5, .25, 0, 0);
    assertThat(estimate.rollouts()).isEqualTo(12);
    assertThat(policy.calls())
        .extracting(call -> call.get(0).prefixSteps().size())
        .containsExactly(4, 6, 5);
  }

  @Test
  void anAcceptedResponseIsProbedNowhereAndValuedOneEverywhere() {
    ScriptedCompleter policy = fresh();
    Trajectory accepted = new Trajectory(question("q"), steps(4), true, ScriptedCompleter.VERIFIER);

    Estimate estimate =
        MonteCarloStepValues.estimate(List.of(accepted), policy, 4, McProbes.FIRST_ERROR).get(0);

    assertThat(estimate.values()).containsExactly(1, 1, 1);
    assertThat(estimate.rollouts()).isZero();
    assertThat(policy.calls()).isEmpty();
  }

  @Test
  void searchesOfManyResponsesShareOneCallPerRound() {
    // A rejected response of 3 steps: one probe of 2 steps (MC .75) puts its first error at step 3,
    // the last, which is never probed; s_1 takes s_2's .75. With the 8-step one: rounds of 2, 1, 1.
    ScriptedCompleter policy = fresh();
    List<Estimate> estimates =
        MonteCarloStepValues.estimate(List.of(wrong(8), wrong(3)), policy, 4, McProbes.FIRST_ERROR);

    assertThat(policy.calls()).extracting(List::size).containsExactly(2, 1, 1);
    assertThat(estimates.get(0).values()).containsExactly(.5, .5, .5, .5, .25, 0, 0);
    assertThat(estimates.get(1).values()).containsExactly(.75, .75);
    assertThat(estimates.get(1).rollouts()).isEqualTo(4);
  }

  @Test
  void everyStepRollsOutFromEveryInnerPrefixInOneCall() {
    ScriptedCompleter policy = fresh();
    List<Estimate> estimates =
        MonteCarloStepValues.estimate(List.of(wrong(4), wrong(1)), policy, 4, McProbes.EVERY_STEP);

    assertThat(estimates.get(0).values()).containsExactly(1, .75, .75);
    assertThat(estimates.get(0).rollouts()).isEqualTo(12);
    assertThat(estimates.get(1).values()).isEmpty();
    assertThat(estimates.get(1).rollouts()).isZero();
    assertThat(policy.calls()).hasSize(1);
    assertThat(policy.calls().get(0))
        .extracting(r -> r.prefixSteps().size())
        .containsExactly(1, 2, 3);
  }

  private static ScriptedCompleter fresh() {
    return new ScriptedCompleter(
        (request, i) ->
            i < RIGHT[request.prefixSteps().size()]
                ? ScriptedCompleter.right()
                : ScriptedCompleter.wrong());
  }

  private static Trajectory wrong(int steps) {
    return new Trajectory(
        question("wrong" + steps), steps(steps), false, ScriptedCompleter.VERIFIER);
  }

  private static Question question(String id) {
    return new Question(id, "question " + id);
  }

  private static List<String> steps(int m) {
    return IntStream.rangeClosed(1, m).mapToObj(j -> "step " + j).toList();
  }
}
