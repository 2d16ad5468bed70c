package dev.rlflow.core.task.arith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArithSpecTest {

  private static final Set<ArithOp> ALL = EnumSet.allOf(ArithOp.class);

  @Test
  void defaultsAreTheDocumentedKnobs() {
    ArithSpec spec = ArithSpec.defaults();

    assertThat(spec.minSteps()).isEqualTo(2);
    assertThat(spec.maxSteps()).isEqualTo(5);
    assertThat(spec.startMax()).isEqualTo(20);
    assertThat(spec.operandMax()).isEqualTo(9);
    assertThat(spec.maxValue()).isEqualTo(999);
    assertThat(spec.ops()).containsExactly(ArithOp.ADD, ArithOp.SUB, ArithOp.MUL);
  }

  @Test
  void opsAreKeptInEnumOrderWhateverTheSetPassed() {
    Set<ArithOp> reversed = new LinkedHashSet<>(List.of(ArithOp.MUL, ArithOp.ADD));

    ArithSpec spec = new ArithSpec(2, 5, 20, 9, 999, reversed);

    assertThat(spec.ops()).containsExactly(ArithOp.ADD, ArithOp.MUL);
    assertThat(spec)
        .isEqualTo(new ArithSpec(2, 5, 20, 9, 999, EnumSet.of(ArithOp.ADD, ArithOp.MUL)));
    assertThatThrownBy(() -> spec.ops().add(ArithOp.SUB))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsEachKnobWithFieldValueAndRule() {
    assertThatThrownBy(() -> new ArithSpec(0, 5, 20, 9, 999, ALL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0 for minSteps: must be >= 1");
    assertThatThrownBy(() -> new ArithSpec(3, 2, 20, 9, 999, ALL))
        .hasMessage("Invalid value 2 for maxSteps: must be >= minSteps (3)");
    assertThatThrownBy(() -> new ArithSpec(2, 13, 20, 9, 999, ALL))
        .hasMessage("Invalid value 13 for maxSteps: must be <= 12");
    assertThatThrownBy(() -> new ArithSpec(2, 5, 0, 9, 999, ALL))
        .hasMessage("Invalid value 0 for startMax: must be >= 1");
    assertThatThrownBy(() -> new ArithSpec(2, 5, 20, -1, 999, ALL))
        .hasMessage("Invalid value -1 for operandMax: must be >= 1");
    assertThatThrownBy(() -> new ArithSpec(2, 5, 20, 9, 19, ALL))
        .hasMessage("Invalid value 19 for maxValue: must be >= startMax (20)");
    assertThatThrownBy(() -> new ArithSpec(2, 5, 20, 9, 999, Set.of()))
        .hasMessage("Invalid value [] for ops: must name at least one operation and no null");
    assertThatThrownBy(() -> new ArithSpec(2, 5, 20, 9, 999, null))
        .hasMessage("Invalid value null for ops: must name at least one operation and no null");
  }

  @Test
  void boundaryValuesAreAccepted() {
    ArithSpec spec = new ArithSpec(1, 12, 1, 1, 1, EnumSet.of(ArithOp.MUL));

    assertThat(spec.maxSteps()).isEqualTo(ArithSpec.MAX_STEPS_LIMIT);
  }

  @Test
  void addAloneMustNotReachTheBoundBeforeTheLastStep() {
    // startMax + (maxSteps - 1) * operandMax = 20 + 4 * 9 = 56: the bound must exceed it.
    assertThat(new ArithSpec(2, 5, 20, 9, 57, EnumSet.of(ArithOp.ADD)).maxValue()).isEqualTo(57);
    assertThatThrownBy(() -> new ArithSpec(2, 5, 20, 9, 56, EnumSet.of(ArithOp.ADD)))
        .hasMessage(
            "Invalid value 56 for maxValue: must be > startMax + (maxSteps - 1) * operandMax (56)"
                + " when ops is [ADD] only, or the one-way walk can reach the bound before its last"
                + " step");
  }

  @Test
  void subAloneMustNotReachTheBoundBeforeTheLastStep() {
    // The lowest value before the last step is 1 - 4 * 9 = -35: the bound must exceed 35.
    assertThat(new ArithSpec(2, 5, 20, 9, 36, EnumSet.of(ArithOp.SUB)).maxValue()).isEqualTo(36);
    assertThatThrownBy(() -> new ArithSpec(2, 5, 20, 9, 35, EnumSet.of(ArithOp.SUB)))
        .hasMessage(
            "Invalid value 35 for maxValue: must be > (maxSteps - 1) * operandMax - 1 (35)"
                + " when ops is [SUB] only, or the one-way walk can reach the bound before its last"
                + " step");
  }

  @Test
  void twoWayOpsNeedNoExtraRoom() {
    ArithSpec spec = new ArithSpec(2, 12, 20, 9, 20, EnumSet.of(ArithOp.ADD, ArithOp.SUB));

    assertThat(spec.maxValue()).isEqualTo(20);
  }
}
