package dev.rlflow.training.kl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rlflow.core.config.AlgorithmConfig;
import org.junit.jupiter.api.Test;

/** beta .1, target 6, horizon 10,000, batches of 256 responses: K_beta = .0256. */
class KlControllerTest {
  private static final KlController ADAPTIVE = new KlController.Adaptive(0.1, 6, 10_000);

  @Test
  void adaptiveMovesBetaInProportionToTheRelativeError() {
    // KL 6.6: e = .1, beta = .1 * (1 + .1 * .0256) = .100256.
    assertThat(ADAPTIVE.update(6.6, 256).coef()).isCloseTo(0.100256, within(1e-12));
    assertThat(ADAPTIVE.update(6.0, 256).coef()).isCloseTo(0.1, within(1e-12));
  }

  @Test
  void adaptiveClipsTheErrorToTwentyPercent() {
    // KL 9: e = .5 clipped to .2, beta = .1 * 1.00512; KL 0: e = -1 clipped to -.2.
    assertThat(ADAPTIVE.update(9, 256).coef()).isCloseTo(0.100512, within(1e-12));
    assertThat(ADAPTIVE.update(0, 256).coef()).isCloseTo(0.099488, within(1e-12));
    assertThat(ADAPTIVE.update(1e6, 256).coef()).isCloseTo(0.100512, within(1e-12));
  }

  @Test
  void adaptiveUpdatesCompound() {
    KlController twice = ADAPTIVE.update(9, 256).update(9, 256);

    assertThat(twice.coef()).isCloseTo(0.1 * 1.00512 * 1.00512, within(1e-12));
    assertThat(ADAPTIVE.coef()).as("immutable").isEqualTo(0.1);
  }

  @Test
  void fixedNeverMoves() {
    assertThat(new KlController.Fixed(0.04).update(100, 256).coef()).isEqualTo(0.04);
  }

  @Test
  void configChoosesTheController() {
    assertThat(KlController.of(config(true))).isEqualTo(new KlController.Adaptive(0.05, 6.0, 500));
    assertThat(KlController.of(config(false))).isEqualTo(new KlController.Fixed(0.05));
  }

  @Test
  void rejectsBadValues() {
    assertThatThrownBy(() -> new KlController.Adaptive(0.1, 0, 10_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0.0 for target: must be > 0 and finite");
    assertThatThrownBy(() -> new KlController.Fixed(-1))
        .hasMessage("Invalid value -1.0 for coef: must be >= 0 and finite");
    assertThatThrownBy(() -> ADAPTIVE.update(Double.NaN, 256))
        .hasMessage("Invalid value NaN for observedKl: must be finite");
    assertThatThrownBy(() -> ADAPTIVE.update(1, 0))
        .hasMessage("Invalid value 0 for responses: must be >= 1");
  }

  private static AlgorithmConfig config(boolean adaptive) {
    return new AlgorithmConfig(
        AlgorithmConfig.Name.PPO,
        0.2,
        0.2,
        0.05,
        AlgorithmConfig.KlEstimator.K1,
        AlgorithmConfig.KlPlacement.AUTO,
        adaptive,
        6.0,
        500,
        1.0,
        0.95,
        2,
        32,
        1e-4,
        3e-4,
        0,
        0,
        0.0,
        true,
        AlgorithmConfig.MacroActions.NONE,
        5,
        0,
        1.0,
        3,
        4,
        AlgorithmConfig.McProbes.EVERY_STEP);
  }
}
