package dev.rlflow.jobs.dataset;

/**
 * One verified problem of a split, as it flows to the file sink.
 *
 * @param split the split's name, also the output sub-directory ({@code train}, {@code test})
 * @param steps reasoning steps of the reference solution
 * @param json the problem as one JSON line
 */
public record DatasetRecord(String split, int steps, String json) {}
