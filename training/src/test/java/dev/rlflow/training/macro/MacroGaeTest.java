package dev.rlflow.training.macro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.rlflow.training.advantage.Gae;
import dev.rlflow.training.advantage.Steps;
import dev.rlflow.training.advantage.TokenAdvantages;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MacroGaeTest {
  private static final double[] REWARDS = {0, .9, 0, .2, 0, 1};
  private static final double[] VALUES = {.5, .5, .6, .6, .4, .4};

  @Test
  void oneTokenPerMacroActionIsTokenLevelGaeBitForBit() {
    Random random = new Random(7);
    for (int trial = 0; trial < 20; trial++) {
      int tokens = 1 + random.nextInt(40);
      double[] rewards = random.doubles(tokens, -1, 1).toArray();
      double[] values = random.doubles(tokens, -1, 1).toArray();
      TokenAdvantages tokenLevel = Gae.estimate(rewards, values, 1.0, 0.95);

      TokenAdvantages macro =
          MacroGae.estimate(rewards, values, Segmentation.fixed(tokens, 1), 1.0, 0.95);

      assertThat(Arrays.equals(macro.advantages(), tokenLevel.advantages())).isTrue();
      assertThat(Arrays.equals(macro.returns(), tokenLevel.returns())).isTrue();
    }
  }

  @Test
  void stepMacroActionsAverageRewardsAndValues() {
    // The GAE oracle's response with steps ending at tokens 1, 3, 5 (ALGORITHMS.md §3): macro
    // actions [0, 1], [2, 3], [4], [5]. Averaged rewards [.45, .1, 0, 1], values [.5, .6, .4, .4];
    // GAE (gamma 1, lambda .95): A_3 = .6, A_2 = .57, A_1 = -.1 + .95 * .57 = .4415,
    // A_0 = .55 + .95 * .4415 = .969425; returns A + V_macro.
    Steps steps = new Steps(new int[] {1, 3, 5}, new double[] {.9, .2, 0});

    TokenAdvantages macro =
        MacroGae.estimate(REWARDS, VALUES, Segmentation.steps(6, steps), 1.0, 0.95);

    assertThat(macro.advantages())
        .containsExactly(new double[] {.969425, .969425, .4415, .4415, .57, .6}, within(1e-12));
    assertThat(macro.returns())
        .containsExactly(
            new double[] {1.469425, 1.469425, 1.0415, 1.0415, .97, 1.0}, within(1e-12));
  }
}
