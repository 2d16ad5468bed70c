package dev.rlflow.training.loop;

/**
 * One optimizer update as a {@link TrainingLoop} reports it (to the client of a job: metrics.csv,
 * the progress line).
 *
 * @param stage the stage, e.g. {@code sft}
 * @param step the update, 1-based
 * @param totalSteps the updates the stage will make
 * @param loss the training loss of the update
 * @param lr the learning rate used
 * @param gradNorm the global gradient norm before clipping
 * @param tokensPerSecond tokens (SFT), steps or pairs (PRM) trained per second in this update
 * @param skipped the update was skipped (non-finite loss or gradient)
 * @param checkpoint the checkpoint written after this update, or empty
 */
public record TrainingMetric(
    String stage,
    long step,
    long totalSteps,
    double loss,
    double lr,
    double gradNorm,
    double tokensPerSecond,
    boolean skipped,
    String checkpoint) {}
