package dev.rlflow.jobs.prm;

/**
 * What the search of one question spent and produced, sent to the client for progress and the
 * comparison.
 *
 * @param questionId the question
 * @param rollouts rollouts generated for it, the pre-filter included
 * @param labels labels produced
 * @param positives labels with {@code MC > 0}
 * @param judged labels the ground truth could judge (arith: all; other tasks: none)
 * @param right judged labels whose hard label agrees with the ground truth
 * @param binarySearches binary searches run (OmegaPRM)
 * @param filteredOut whether the pre-filter dropped the question
 */
public record SearchOutcome(
    String questionId,
    long rollouts,
    long labels,
    long positives,
    long judged,
    long right,
    int binarySearches,
    boolean filteredOut) {}
