package dev.rlflow.jobs.dataset;

import dev.rlflow.core.task.arith.ArithSplit;

/**
 * Which problems one subtask generates: {@code count} problems of {@code split} from {@code seed}.
 */
public record SplitRequest(ArithSplit split, long seed, int count) {}
