package dev.rlflow.training.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.AlgorithmConfig.KlEstimator;
import dev.rlflow.core.config.AlgorithmConfig.KlPlacement;
import dev.rlflow.core.config.AlgorithmConfig.MacroActions;
import dev.rlflow.core.config.AlgorithmConfig.Name;
import dev.rlflow.training.advantage.Steps;
import dev.rlflow.training.advantage.TokenAdvantages;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

class AdvantageEstimatorTest {
  private static final double[] NO_VALUES = new double[0];
  private static final double[] VALUES = {.5, .5, .6, .6, .4, .4};
  private static final Steps ORACLE_STEPS = new Steps(new int[] {1, 3}, new double[] {.9, .2});

  @Test
  void ppoIsTheGaeOracleOverMinFormTokenRewards() {
    // Policy equals reference: KL 0. The oracle's steps [.9, .2] have min-form returns [.2, .2]
    // (ALGORITHMS.md §3), credits [0, .2]: token rewards [0, 0, 0, .2, 0, 1], the GAE oracle's
    // without its .9 at token 1. That lowers delta_1 by .9, so A_1 by .9 and A_0 by .95 * .9:
    // A = [1.4143 - .855, 1.4887 - .9, .5144, .5415, .57, .6]; returns A + V.
    Experience e = new Experience(0, flat(6, -1), flat(6, -1), VALUES, ORACLE_STEPS, 1.0);

    TokenAdvantages estimate =
        estimator(Name.PPO, KlPlacement.AUTO, MacroActions.NONE, 5, false)
            .estimate(List.of(e), 0.05)
            .get(0);

    assertThat(estimate.advantages())
        .containsExactly(new double[] {.5593, .5887, .5144, .5415, .57, .6}, within(1e-4));
    assertThat(estimate.returns())
        .containsExactly(new double[] {1.0593, 1.0887, 1.1144, 1.1415, .97, 1.0}, within(1e-4));
  }

  @Test
  void klEntersTheRewardOnlyWherePlacedThere() {
    // One token, pi .5 and pi_ref .25: k1 = ln 2; value 0, outcome 1. In the reward with beta .5:
    // A = 1 - .5 ln 2 = .6534264; in the loss: A = 1.
    Experience e =
        new Experience(
            0,
            new double[] {Math.log(.5)},
            new double[] {Math.log(.25)},
            new double[] {0},
            Steps.none(),
            1.0);

    assertThat(advantage(Name.PPO, KlPlacement.AUTO, e)).isCloseTo(.6534264, within(1e-7));
    assertThat(advantage(Name.PPO, KlPlacement.LOSS, e)).isEqualTo(1.0);
  }

  @Test
  void oneTokenMacroActionsReproduceTokenLevelPpoExactly() {
    Random random = new Random(11);
    List<Experience> batch =
        List.of(
            randomExperience(random, 9), randomExperience(random, 1), randomExperience(random, 23));

    List<TokenAdvantages> tokenLevel =
        estimator(Name.PPO, KlPlacement.REWARD, MacroActions.NONE, 5, true).estimate(batch, 0.1);
    List<TokenAdvantages> macro =
        estimator(Name.PPO, KlPlacement.REWARD, MacroActions.FIXED, 1, true).estimate(batch, 0.1);

    for (int i = 0; i < batch.size(); i++) {
      assertThat(Arrays.equals(macro.get(i).advantages(), tokenLevel.get(i).advantages())).isTrue();
      assertThat(Arrays.equals(macro.get(i).returns(), tokenLevel.get(i).returns())).isTrue();
    }
    // The loss consumes nothing but these arrays, so the PPO loss is the same number too.
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      float[] a = toFloats(tokenLevel.get(0).advantages());
      float[] b = toFloats(macro.get(0).advantages());
      Shape shape = new Shape(1, a.length);
      float[] logProbs = toFloats(batch.get(0).logProbs());
      float[] newLogProbs = logProbs.clone();
      newLogProbs[0] += 0.3f;
      float lossA =
          PpoLoss.policy(
                  manager.create(newLogProbs, shape),
                  manager.create(logProbs, shape),
                  manager.create(a, shape),
                  manager.ones(shape),
                  0.2)
              .loss()
              .getFloat();
      float lossB =
          PpoLoss.policy(
                  manager.create(newLogProbs, shape),
                  manager.create(logProbs, shape),
                  manager.create(b, shape),
                  manager.ones(shape),
                  0.2)
              .loss()
              .getFloat();
      assertThat(Float.floatToIntBits(lossB)).isEqualTo(Float.floatToIntBits(lossA));
    }
  }

  @Test
  void macroActionsChangePpoAdvantages() {
    // Steps at tokens 1, 3 (and the last token on its own): MacroGaeTest's numbers with the
    // first macro action's averaged reward 0 instead of .45 (min-form credits [0, .2]), so
    // A_0 = (0 + .6 - .5) + .95 * .4415 = .519425.
    Experience e = new Experience(0, flat(6, -1), flat(6, -1), VALUES, ORACLE_STEPS, 1.0);

    double[] a =
        estimator(Name.PPO, KlPlacement.AUTO, MacroActions.STEP, 5, false)
            .estimate(List.of(e), 0.05)
            .get(0)
            .advantages();

    assertThat(a)
        .containsExactly(new double[] {.519425, .519425, .4415, .4415, .57, .6}, within(1e-12));
  }

  @Test
  void ppoWhitensOverAllTokensWhenConfigured() {
    Experience e = new Experience(0, flat(6, -1), flat(6, -1), VALUES, ORACLE_STEPS, 1.0);
    Experience f =
        new Experience(1, flat(2, -1), flat(2, -1), new double[] {.1, .3}, Steps.none(), 0);

    List<TokenAdvantages> estimates =
        estimator(Name.PPO, KlPlacement.AUTO, MacroActions.NONE, 5, true)
            .estimate(List.of(e, f), 0);

    double[] all =
        DoubleStream.concat(
                Arrays.stream(estimates.get(0).advantages()),
                Arrays.stream(estimates.get(1).advantages()))
            .toArray();
    double mean = Arrays.stream(all).average().orElseThrow();
    double variance = Arrays.stream(all).map(x -> (x - mean) * (x - mean)).average().orElseThrow();
    assertThat(mean).isCloseTo(0, within(1e-12));
    assertThat(Math.sqrt(variance)).isCloseTo(1, within(1e-5));
    assertThat(estimates.get(0).returns()[5])
        .as("returns are not whitened")
        .isCloseTo(1.0, within(1e-12));
  }

  @Test
  void grpoNormalisesOutcomesWithinEachPromptsGroup() {
    // Groups interleaved: prompt 7 has outcomes [1, 0] -> [1, -1] (std .5); prompt 3 [0, 0] -> 0.
    List<Experience> batch =
        List.of(
            outcomeOnly(7, 3, 1), outcomeOnly(3, 2, 0), outcomeOnly(7, 1, 0), outcomeOnly(3, 4, 0));

    List<TokenAdvantages> estimates =
        estimator(Name.GRPO, KlPlacement.AUTO, MacroActions.NONE, 5, true).estimate(batch, 0.04);

    double one = .5 / (.5 + 1e-6);
    assertThat(estimates.get(0).advantages())
        .containsExactly(new double[] {one, one, one}, within(1e-12));
    assertThat(estimates.get(2).advantages()).containsExactly(new double[] {-one}, within(1e-12));
    assertThat(estimates.get(1).advantages()).containsExactly(0, 0);
    assertThat(estimates.get(3).advantages()).containsExactly(0, 0, 0, 0);
    assertThat(estimates.get(0).returns()).containsExactly(1, 1, 1);
  }

  @Test
  void grpoWithStepsIsProcessGrpo() {
    List<Experience> batch =
        List.of(
            new Experience(
                0,
                flat(6, -1),
                flat(6, -1),
                NO_VALUES,
                new Steps(new int[] {1, 3, 5}, new double[] {.9, .2, .1}),
                0.0),
            new Experience(
                0,
                flat(3, -1),
                flat(3, -1),
                NO_VALUES,
                new Steps(new int[] {0, 2}, new double[] {.8, .9}),
                0.0));

    List<TokenAdvantages> estimates =
        estimator(Name.GRPO, KlPlacement.AUTO, MacroActions.NONE, 5, true).estimate(batch, 0.04);

    assertThat(estimates.get(0).advantages())
        .containsExactly(
            new double[] {-1.5237, -1.5237, -2.4266, -2.4266, -1.3544, -1.3544}, within(1e-4));
    assertThat(estimates.get(1).advantages())
        .containsExactly(new double[] {1.5237, .9029, .9029}, within(1e-4));

    // With outcomes (ALGORITHMS.md §3) steps and outcomes are normalised apart and added: the
    // step part above, plus the outcome's z over the group's responses, (0 - .5) / (.5 + 1e-6) and
    // (1 - .5) / (.5 + 1e-6), on every token, whatever the PRM says of the steps.
    List<Experience> withOutcome =
        List.of(
            new Experience(0, flat(6, -1), flat(6, -1), NO_VALUES, batch.get(0).steps(), 0.0),
            new Experience(0, flat(3, -1), flat(3, -1), NO_VALUES, batch.get(1).steps(), 1.0));
    List<TokenAdvantages> both =
        estimator(Name.GRPO, KlPlacement.AUTO, MacroActions.NONE, 5, true)
            .estimate(withOutcome, 0.04);
    double z = .5 / (.5 + 1e-6);
    assertThat(both.get(0).advantages())
        .containsExactly(
            new double[] {
              -1.5237 - z, -1.5237 - z, -2.4266 - z, -2.4266 - z, -1.3544 - z, -1.3544 - z
            },
            within(1e-4));
    assertThat(both.get(1).advantages())
        .containsExactly(new double[] {1.5237 + z, .9029 + z, .9029 + z}, within(1e-4));

    // A prompt whose responses have no step: the outcome is their one step, GRPO on outcomes.
    List<Experience> mixed =
        List.of(batch.get(0), batch.get(1), outcomeOnly(1, 2, 1), outcomeOnly(1, 3, 0));
    List<TokenAdvantages> withStepless =
        estimator(Name.GRPO, KlPlacement.AUTO, MacroActions.NONE, 5, true).estimate(mixed, 0.04);
    assertThat(withStepless.get(0).advantages()).isEqualTo(estimates.get(0).advantages());
    assertThat(withStepless.get(2).advantages()).containsExactly(new double[] {1, 1}, within(1e-5));
    assertThat(withStepless.get(3).advantages())
        .containsExactly(new double[] {-1, -1, -1}, within(1e-5));

    assertThatThrownBy(
            () ->
                estimator(Name.GRPO, KlPlacement.REWARD, MacroActions.NONE, 5, true)
                    .estimate(batch, 0.04))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid value reward for algorithm.kl_placement: must be loss");
  }

  @Test
  void rlooOracleAndKlInItsScoreWhenPlacedInTheReward() {
    List<Experience> batch =
        List.of(
            outcomeOnly(0, 2, 1), outcomeOnly(0, 1, 0), outcomeOnly(0, 1, 1), outcomeOnly(0, 3, 1));

    List<TokenAdvantages> estimates =
        estimator(Name.RLOO, KlPlacement.AUTO, MacroActions.NONE, 5, false).estimate(batch, 0.1);

    assertThat(estimates.get(0).advantages())
        .containsExactly(new double[] {1.0 / 3, 1.0 / 3}, within(1e-12));
    assertThat(estimates.get(1).advantages()).containsExactly(new double[] {-1}, within(1e-12));
    assertThat(estimates.get(3).advantages())
        .containsExactly(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, within(1e-12));

    // With KL in the reward a response's score is outcome - beta * sum_t k1: response 0 pays
    // .5 * ln 2 at its one token (pi .5, pi_ref .25), response 1 nothing.
    List<Experience> pair =
        List.of(
            new Experience(
                0,
                new double[] {Math.log(.5)},
                new double[] {Math.log(.25)},
                NO_VALUES,
                Steps.none(),
                1),
            outcomeOnly(0, 1, 0));
    double score = 1 - .5 * Math.log(2);
    List<TokenAdvantages> withKl =
        estimator(Name.RLOO, KlPlacement.REWARD, MacroActions.NONE, 5, false).estimate(pair, 0.5);
    assertThat(withKl.get(0).advantages()[0]).isCloseTo(score, within(1e-12));
    assertThat(withKl.get(1).advantages()[0]).isCloseTo(-score, within(1e-12));
  }

  @Test
  void reinforcePlusPlusWhitensTokenReturnsOverTheBatch() {
    // Token rewards [0, 0, 1] and [.5, -.5] (a step reward at token 0, outcome -.5): see
    // ReinforcePlusPlusTest.
    List<Experience> batch =
        List.of(
            outcomeOnly(0, 3, 1),
            new Experience(
                1,
                flat(2, -1),
                flat(2, -1),
                NO_VALUES,
                new Steps(new int[] {0}, new double[] {.5}),
                -.5));

    List<TokenAdvantages> estimates =
        estimator(Name.REINFORCE_PP, KlPlacement.AUTO, MacroActions.NONE, 5, false)
            .estimate(batch, 0.1);

    assertThat(estimates.get(0).advantages())
        .containsExactly(new double[] {.7906, .7906, .7906}, within(1e-4));
    assertThat(estimates.get(1).advantages())
        .containsExactly(new double[] {-.7906, -1.5811}, within(1e-4));
  }

  @Test
  void rejectsMacroActionsOutsidePpoAndPpoWithoutValues() {
    assertThatThrownBy(() -> estimator(Name.GRPO, KlPlacement.AUTO, MacroActions.FIXED, 5, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value fixed for algorithm.macro_actions: must be none unless algorithm.name is"
                + " ppo (macro actions segment GAE), not grpo");
    AdvantageEstimator ppo = estimator(Name.PPO, KlPlacement.AUTO, MacroActions.NONE, 5, true);
    assertThatThrownBy(() -> ppo.estimate(List.of(outcomeOnly(0, 2, 1)), 0.1))
        .hasMessage(
            "Invalid length 0 of values of response 0: ppo needs the critic's value of every token");
    assertThatThrownBy(() -> ppo.estimate(List.of(), 0.1))
        .hasMessage("Nothing to estimate: the batch holds no response");
  }

  @Test
  void experienceRejectsArraysOfOtherLengths() {
    assertThatThrownBy(
            () -> new Experience(0, flat(3, -1), flat(2, -1), NO_VALUES, Steps.none(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid length 2 of refLogProbs: must equal the response length, the length of"
                + " logProbs (3)");
    assertThatThrownBy(
            () -> new Experience(0, flat(3, -1), flat(3, -1), flat(2, 0), Steps.none(), 0))
        .hasMessage(
            "Invalid length 2 of values: must equal the response length, the length of logProbs"
                + " (3)");
  }

  @Test
  void vinePpoValuesThePromptByItsGroupAndTheLastStepByTheOutcome() {
    // Group of two, outcomes 0 and 1: V(s_0) = .5. Response 0 is the ALGORITHMS.md oracle, steps
    // ending at tokens 1, 3, 5, V(s_1) = .75, V(s_2) = .25, V(s_3) its outcome 0 (the rollout
    // leaves it NaN): A = [.25, -.5, -.25]. Response 1, one step valued by its outcome 1: A = .5.
    // Not whitened, though whiten_advantages is set: VinePPO trains on the raw values.
    Experience wrong =
        new Experience(
            0,
            flat(6, -1),
            flat(6, -1),
            NO_VALUES,
            new Steps(new int[] {1, 3, 5}, new double[3]),
            0.0,
            new double[] {.75, .25, Double.NaN});
    Experience right =
        new Experience(
            0,
            flat(2, -1),
            flat(2, -1),
            NO_VALUES,
            new Steps(new int[] {1}, new double[1]),
            1.0,
            new double[] {Double.NaN});

    List<TokenAdvantages> estimates =
        estimator(Name.VINEPPO, KlPlacement.AUTO, MacroActions.NONE, 5, true)
            .estimate(List.of(wrong, right), 0.05);

    assertThat(estimates.get(0).advantages())
        .containsExactly(new double[] {.25, .25, -.5, -.5, -.25, -.25}, within(1e-12));
    assertThat(estimates.get(1).advantages()).containsExactly(new double[] {.5, .5}, within(1e-12));
  }

  @Test
  void vinePpoRefusesAResponseWithoutStepValues() {
    assertThatThrownBy(
            () ->
                estimator(Name.VINEPPO, KlPlacement.AUTO, MacroActions.NONE, 5, false)
                    .estimate(List.of(outcomeOnly(0, 3, 1.0), outcomeOnly(0, 3, 0.0)), 0.05))
        .hasMessage(
            "Invalid length 0 of stepValues of response 0: vineppo needs the rollout's Monte Carlo"
                + " value of every step");
  }

  private static double advantage(Name name, KlPlacement placement, Experience e) {
    return estimator(name, placement, MacroActions.NONE, 5, false)
        .estimate(List.of(e), 0.5)
        .get(0)
        .advantages()[0];
  }

  private static AdvantageEstimator estimator(
      Name name, KlPlacement placement, MacroActions macro, int n, boolean whiten) {
    return new AdvantageEstimator(
        new AlgorithmConfig(
            name,
            0.2,
            0.2,
            0.05,
            KlEstimator.K1,
            placement,
            false,
            6.0,
            10_000,
            1.0,
            0.95,
            2,
            2,
            1e-4,
            3e-4,
            0,
            0,
            0.0,
            whiten,
            macro,
            n,
            0,
            1.0,
            3,
            4,
            AlgorithmConfig.McProbes.EVERY_STEP));
  }

  private static Experience outcomeOnly(int group, int tokens, double outcome) {
    return new Experience(
        group, flat(tokens, -1), flat(tokens, -1), NO_VALUES, Steps.none(), outcome);
  }

  private static Experience randomExperience(Random random, int tokens) {
    double[] logProbs = random.doubles(tokens, -3, 0).toArray();
    double[] ref = random.doubles(tokens, -3, 0).toArray();
    double[] values = random.doubles(tokens, -1, 1).toArray();
    return new Experience(
        0,
        logProbs,
        ref,
        values,
        new Steps(new int[] {tokens / 2}, new double[] {.3}),
        random.nextDouble());
  }

  private static double[] flat(int tokens, double value) {
    double[] array = new double[tokens];
    Arrays.fill(array, value);
    return array;
  }

  private static float[] toFloats(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }
}
