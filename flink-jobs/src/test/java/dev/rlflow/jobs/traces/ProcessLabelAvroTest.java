package dev.rlflow.jobs.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.label.ProcessLabel;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessLabelAvroTest {

  @Test
  void everyFieldSurvivesTheRoundTrip() {
    ProcessLabel label =
        new ProcessLabel(
            "arith-train-1-4", "start 2, +3", 9L, 4L, List.of("2 + 3 = 5"), "answer: 5", 0.5, 16);
    dev.rlflow.traces.ProcessLabel avro = ProcessLabelAvro.toAvro(label);
    assertThat(avro.getQuestionId()).isEqualTo("arith-train-1-4");
    assertThat(avro.getPrefixSteps()).containsExactly("2 + 3 = 5");
    assertThat(avro.getMcValue()).isEqualTo(0.5);
    assertThat(ProcessLabelAvro.fromAvro(avro)).isEqualTo(label);
  }

  @Test
  void anAvroLabelBreakingTheRecordsRulesIsRejected() {
    dev.rlflow.traces.ProcessLabel avro =
        dev.rlflow.traces.ProcessLabel.newBuilder(
                ProcessLabelAvro.toAvro(
                    new ProcessLabel("q", "question", 1L, 0L, List.of(), "step", 1.0, 0)))
            .setMcValue(1.5)
            .build();
    assertThatThrownBy(() -> ProcessLabelAvro.fromAvro(avro))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 1.5 for mcValue: must be in [0, 1]");
  }
}
