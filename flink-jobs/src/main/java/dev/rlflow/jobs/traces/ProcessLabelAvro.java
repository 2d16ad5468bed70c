package dev.rlflow.jobs.traces;

import dev.rlflow.core.label.ProcessLabel;

/**
 * Converts between the dataflow's {@link ProcessLabel} and its Avro form {@link
 * dev.rlflow.traces.ProcessLabel}, the record in trace files and Kafka values.
 */
public final class ProcessLabelAvro {
  private ProcessLabelAvro() {}

  public static dev.rlflow.traces.ProcessLabel toAvro(ProcessLabel label) {
    return dev.rlflow.traces.ProcessLabel.newBuilder()
        .setQuestionId(label.questionId())
        .setQuestion(label.question())
        .setSearchId(label.searchId())
        .setPolicyVersion(label.policyVersion())
        .setPrefixSteps(label.prefixSteps())
        .setStep(label.step())
        .setMcValue(label.mcValue())
        .setRollouts(label.rollouts())
        .build();
  }

  /**
   * The dataflow record of an Avro label.
   *
   * @throws IllegalArgumentException when a value breaks the record's rules (e.g. mc_value outside
   *     [0, 1])
   */
  public static ProcessLabel fromAvro(dev.rlflow.traces.ProcessLabel label) {
    return new ProcessLabel(
        label.getQuestionId(),
        label.getQuestion(),
        label.getSearchId(),
        label.getPolicyVersion(),
        label.getPrefixSteps(),
        label.getStep(),
        label.getMcValue(),
        label.getRollouts());
  }
}
