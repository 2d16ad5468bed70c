package dev.rlflow.jobs.eval;

import java.util.List;

/**
 * The selection data of one held-out problem.
 *
 * @param problemId the problem
 * @param greedyCorrect the greedy solution is correct
 * @param samples the sampled solutions, in sampling order (the first N form the N-sample set)
 */
public record SelectionResult(
    String problemId, boolean greedyCorrect, List<SelectionSample> samples) {}
