package dev.rlflow.training.advantage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The group baselines against ALGORITHMS.md §3. */
class GroupAdvantagesTest {
  /** ALGORITHMS.md §3's process GRPO oracle: o1 steps [.9, .2, .1], o2 [.8, .9]. */
  private static final List<Steps> ORACLE =
      List.of(
          new Steps(new int[] {1, 3, 5}, new double[] {.9, .2, .1}),
          new Steps(new int[] {0, 2}, new double[] {.8, .9}));

  @Test
  void processGrpoOracle() {
    // o1 steps [.9, .2, .1] ending at tokens 1, 3, 5; o2 steps [.8, .9] ending at tokens 0, 2.
    // All five step rewards: mean .58, population std .3544; normalised o1 [.9029, -1.0722,
    // -1.3544], o2 [.6208, .9029]; a token sums the steps ending at or after it.

    List<double[]> advantages =
        GroupAdvantages.processGrpo(ORACLE, new double[] {1, 1}, new int[] {6, 4});

    assertThat(advantages.get(0))
        .containsExactly(
            new double[] {-1.5237, -1.5237, -2.4266, -2.4266, -1.3544, -1.3544}, within(1e-4));
    // Token 3 of o2 comes after its last step: no step ends at or after it.
    assertThat(advantages.get(1))
        .containsExactly(new double[] {1.5237, .9029, .9029, 0}, within(1e-4));
  }

  @Test
  void processGrpoNormalisesOutcomesApartFromStepsAndAddsThem() {
    // The oracle's steps with outcomes 0 and 1: their z over the two responses is -+.5 / (.5 +
    // 1e-6), added to every token, also to o2's token 3 after its last step.
    double z = .5 / (.5 + 1e-6);

    List<double[]> advantages =
        GroupAdvantages.processGrpo(ORACLE, new double[] {0, 1}, new int[] {6, 4});

    assertThat(advantages.get(0))
        .containsExactly(
            new double[] {
              -1.5237 - z, -1.5237 - z, -2.4266 - z, -2.4266 - z, -1.3544 - z, -1.3544 - z
            },
            within(1e-4));
    assertThat(advantages.get(1))
        .containsExactly(new double[] {1.5237 + z, .9029 + z, .9029 + z, z}, within(1e-4));
  }

  @Test
  void outcomeGrpoUsesPopulationStd() {
    // mean .75, population std .4330127: (1 - .75) / .4330127 = .5774, -.75 / .4330127 = -1.7321.
    assertThat(GroupAdvantages.grpo(new double[] {1, 0, 1, 1}))
        .containsExactly(new double[] {.5774, -1.7321, .5774, .5774}, within(1e-4));
  }

  @Test
  void processGrpoWithoutStepsIsOutcomeGrpo() {
    double[] outcomes = {.3, 1, 0};
    List<double[]> process =
        GroupAdvantages.processGrpo(
            List.of(Steps.none(), Steps.none(), Steps.none()), outcomes, new int[] {2, 3, 1});

    double[] outcome = GroupAdvantages.grpo(outcomes);
    for (int i = 0; i < outcomes.length; i++) {
      for (double a : process.get(i)) {
        assertThat(a).isEqualTo(outcome[i]);
      }
    }
  }

  @Test
  void equalOutcomesGiveZeroAdvantages() {
    assertThat(GroupAdvantages.grpo(new double[] {1, 1, 1})).containsExactly(0, 0, 0);
  }

  @Test
  void rlooOracle() {
    assertThat(GroupAdvantages.rloo(new double[] {1, 0, 1, 1}))
        .containsExactly(new double[] {1.0 / 3, -1, 1.0 / 3, 1.0 / 3}, within(1e-12));
  }

  @Test
  void rejectsGroupsOfOneAndStepsOutsideTheirResponse() {
    assertThatThrownBy(() -> GroupAdvantages.rloo(new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid group size 1: must be >= 2 (the baseline compares the group)");
    assertThatThrownBy(
            () ->
                GroupAdvantages.processGrpo(
                    List.of(Steps.none(), new Steps(new int[] {2}, new double[] {1})),
                    new double[] {0, 1},
                    new int[] {2, 2}))
        .hasMessage("Invalid value [2] for step ends: must be < the response length (2)");
  }
}
