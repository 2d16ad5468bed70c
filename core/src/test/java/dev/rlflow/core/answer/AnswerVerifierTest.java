package dev.rlflow.core.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerVerifierTest {
  private final AnswerVerifier verifier = new AnswerVerifier();

  @Test
  void acceptsEqualAnswer() {
    assertThat(verifier.verify("48 / 2 = 24\n24 + 48 = 72\nanswer: 72", "72"))
        .isEqualTo(new Verdict(true, Optional.of("72"), "equal"));
  }

  @Test
  void rejectsDifferentAnswerNamingBoth() {
    assertThat(verifier.verify("answer: 31", "32"))
        .isEqualTo(new Verdict(false, Optional.of("31"), "answer 31 != reference 32"));
  }

  @Test
  void rejectsCompletionWithoutAnswer() {
    assertThat(verifier.verify("I think it is 32", "32"))
        .isEqualTo(new Verdict(false, Optional.empty(), "no final answer found"));
  }

  @Test
  void comparesByEquivalence() {
    assertThat(verifier.verify("so $\\boxed{\\dfrac{3}{4}}$", "0.75"))
        .isEqualTo(new Verdict(true, Optional.of("\\dfrac{3}{4}"), "equal"));
    assertThat(verifier.verify("#### 1,000", "1000").correct()).isTrue();
    assertThat(verifier.verify("answer: \\$18.00", "18").correct()).isTrue();
    assertThat(verifier.verify("answer: 0.333", "\\frac{1}{3}"))
        .isEqualTo(
            new Verdict(false, Optional.of("0.333"), "answer 0.333 != reference \\frac{1}{3}"));
  }

  @Test
  void rejectsBlankReference() {
    assertThatThrownBy(() -> verifier.verify("answer: 1", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid reference answer ' ': must not be blank");
  }

  @Test
  void correctVerdictMustCarryItsAnswer() {
    assertThatThrownBy(() -> new Verdict(true, Optional.empty(), "equal"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
