package dev.rlflow.traces;

import java.util.List;

/** Process labels for tests: every field set, text with non-ASCII characters. */
final class Labels {
  private Labels() {}

  static ProcessLabel first() {
    return ProcessLabel.newBuilder()
        .setQuestionId("arith-train-7-3")
        .setQuestion("start 4, +3, ×2 — what is the result?")
        .setSearchId(42L)
        .setPolicyVersion(3L)
        .setPrefixSteps(List.of())
        .setStep("4 + 3 = 7")
        .setMcValue(0.75)
        .setRollouts(8)
        .build();
  }

  static ProcessLabel second() {
    return ProcessLabel.newBuilder(first())
        .setPrefixSteps(List.of("4 + 3 = 7", "7 × 2 = 14"))
        .setStep("answer: 14")
        .setMcValue(1.0)
        .setRollouts(0)
        .build();
  }
}
