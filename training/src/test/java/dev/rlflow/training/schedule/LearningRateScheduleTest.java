package dev.rlflow.training.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void cosineWarmsUpLinearlyThenDecaysToTheFloor() {
    // Peak 1e-3, 10 warm-up updates, floor 0.1 * 1e-3 reached at update 110.
    LearningRateSchedule s = new LearningRateSchedule.Cosine(1e-3, 10, 110, 0.1);

    assertThat(s.lr(0)).isCloseTo(1e-4, within(1e-15)); // 1e-3 * 1 / 10
    assertThat(s.lr(4)).isCloseTo(5e-4, within(1e-15));
    assertThat(s.lr(9)).isCloseTo(1e-3, within(1e-15));
    assertThat(s.lr(10)).isCloseTo(1e-3, within(1e-15)); // cos(0) = 1
    // progress 0.25: 1e-4 + 9e-4 * (1 + cos(pi / 4)) / 2 = 1e-4 + 9e-4 * 0.853553
    assertThat(s.lr(35)).isCloseTo(8.681980515e-4, within(1e-12));
    assertThat(s.lr(60)).isCloseTo(5.5e-4, within(1e-15)); // halfway
    assertThat(s.lr(110)).isCloseTo(1e-4, within(1e-15));
    assertThat(s.lr(1_000)).isCloseTo(1e-4, within(1e-15));
  }

  @Test
  void cosineWithoutWarmupStartsAtThePeak() {
    LearningRateSchedule s = new LearningRateSchedule.Cosine(2e-3, 0, 4, 0.0);

    assertThat(s.lr(0)).isEqualTo(2e-3);
    assertThat(s.lr(2)).isCloseTo(1e-3, within(1e-15));
    assertThat(s.lr(4)).isEqualTo(0.0);
  }

  @Test
  void constantWarmsUpThenHolds() {
    LearningRateSchedule s = new LearningRateSchedule.Constant(3e-4, 4);

    assertThat(s.lr(0)).isCloseTo(7.5e-5, within(1e-15));
    assertThat(s.lr(1)).isCloseTo(1.5e-4, within(1e-15));
    assertThat(s.lr(3)).isEqualTo(3e-4);
    assertThat(s.lr(1_000_000)).isEqualTo(3e-4);
    assertThat(new LearningRateSchedule.Constant(3e-4, 0).lr(0)).isEqualTo(3e-4);
  }

  @Test
  void chosenByName() {
    assertThat(LearningRateSchedule.of(" Cosine", 1e-3, 10, 110, 0.1))
        .isEqualTo(new LearningRateSchedule.Cosine(1e-3, 10, 110, 0.1));
    assertThat(LearningRateSchedule.of("constant", 1e-3, 10, 110, 0.1))
        .isEqualTo(new LearningRateSchedule.Constant(1e-3, 10));
    assertThatThrownBy(() -> LearningRateSchedule.of("linear", 1e-3, 10, 110, 0.1))
        .hasMessage("Invalid value linear for schedule: must be cosine or constant");
  }

  @Test
  void invalidValuesNameFieldValueAndRule() {
    assertThatThrownBy(() -> new LearningRateSchedule.Cosine(0, 10, 110, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0.0 for peakLr: must be > 0 and finite");
    assertThatThrownBy(() -> new LearningRateSchedule.Cosine(1e-3, -1, 110, 0.1))
        .hasMessage("Invalid value -1 for warmupSteps: must be >= 0");
    assertThatThrownBy(() -> new LearningRateSchedule.Cosine(1e-3, 10, 10, 0.1))
        .hasMessage("Invalid value 10 for totalSteps: must be > warmupSteps (10)");
    assertThatThrownBy(() -> new LearningRateSchedule.Cosine(1e-3, 10, 110, 1.5))
        .hasMessage("Invalid value 1.5 for minLrRatio: must be in [0, 1]");
    assertThatThrownBy(() -> new LearningRateSchedule.Constant(Double.NaN, 0))
        .hasMessage("Invalid value NaN for peakLr: must be > 0 and finite");
    assertThatThrownBy(() -> new LearningRateSchedule.Constant(1e-3, 0).lr(-1))
        .hasMessage("Invalid value -1 for step: must be >= 0");
  }
}
