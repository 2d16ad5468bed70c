package dev.rlflow.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NonFiniteGuardTest {

  @Test
  void skipsNonFiniteUpdatesAndThrowsAtTheThirdInARow() {
    NonFiniteGuard guard = new NonFiniteGuard(3);

    assertThat(guard.admit(14, 2.5, 1.0)).isTrue();
    assertThat(guard.admit(15, Double.NaN, 1.0)).isFalse();
    assertThat(guard.admit(16, 2.5, Double.POSITIVE_INFINITY)).isFalse();
    assertThat(guard.consecutiveSkips()).isEqualTo(2);
    assertThatThrownBy(() -> guard.admit(17, Double.NaN, Double.POSITIVE_INFINITY))
        .isInstanceOfSatisfying(
            TrainingDivergedException.class,
            e -> {
              assertThat(e.step()).isEqualTo(17);
              assertThat(e.loss()).isNaN();
              assertThat(e.gradNorm()).isInfinite();
              assertThat(e.consecutiveSkips()).isEqualTo(3);
            })
        .hasMessage(
            "Training diverged: loss NaN, gradient norm inf at step 17 after 3 consecutive"
                + " skipped steps");
    assertThat(guard.skippedSteps()).isEqualTo(3);
  }

  @Test
  void aFiniteUpdateResetsTheRun() {
    NonFiniteGuard guard = new NonFiniteGuard(2);

    assertThat(guard.admit(0, Double.NaN, 1.0)).isFalse();
    assertThat(guard.admit(1, 1.0, 1.0)).isTrue();
    assertThat(guard.admit(2, 1.0, Double.NEGATIVE_INFINITY)).isFalse();
    assertThat(guard.consecutiveSkips()).isEqualTo(1);
    assertThat(guard.skippedSteps()).isEqualTo(2);
    assertThatThrownBy(() -> guard.admit(3, 0.75, Double.NaN))
        .hasMessage(
            "Training diverged: loss 0.75, gradient norm NaN at step 3 after 2 consecutive"
                + " skipped steps");
  }

  @Test
  void oneSkipMayEndTraining() {
    NonFiniteGuard guard = new NonFiniteGuard(1);

    assertThatThrownBy(() -> guard.admit(0, Double.NEGATIVE_INFINITY, 1.0))
        .isInstanceOf(TrainingDivergedException.class)
        .hasMessageContaining("loss -inf");
    assertThatThrownBy(() -> new NonFiniteGuard(0))
        .hasMessage("Invalid value 0 for maxConsecutiveSkips: must be >= 1");
  }
}
