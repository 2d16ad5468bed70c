package dev.rlflow.training.loop;

/** What one optimizer update of a trainer did, as far as a {@link TrainingLoop} reports it. */
public interface UpdateOutcome {
  /** The batch's training loss. */
  double loss();

  /** The learning rate applied (or that would have been, when skipped). */
  double lr();

  /** The global gradient norm before clipping. */
  double gradNorm();

  /** Whether the update was skipped (non-finite loss or gradient). */
  boolean skipped();

  /** What the update trained (tokens, steps, pairs) per second of its wall-clock time. */
  double throughput();
}
