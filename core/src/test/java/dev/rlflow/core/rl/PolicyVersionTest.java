package dev.rlflow.core.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PolicyVersionTest {

  @Test
  void batchBIsAnsweredByVersionBMinusTheLagAndNeverBelowZero() {
    assertThat(PolicyVersion.answering(5, 0)).isEqualTo(new PolicyVersion(5));
    assertThat(PolicyVersion.answering(5, 2)).isEqualTo(new PolicyVersion(3));
    assertThat(PolicyVersion.answering(1, 2)).isEqualTo(new PolicyVersion(0));
  }

  @Test
  void negativeValuesAreRefused() {
    assertThatThrownBy(() -> new PolicyVersion(-1))
        .hasMessage("Invalid value -1 for number: must be >= 0");
    assertThatThrownBy(() -> PolicyVersion.answering(3, -1))
        .hasMessage("Invalid batch 3 or max_staleness -1: both must be >= 0");
  }
}
