package dev.rlflow.jobs.eval;

/**
 * How the policy did on one held-out problem.
 *
 * @param id the problem
 * @param steps reasoning steps of the reference solution
 * @param greedyCorrect the greedy solution's final answer is right
 * @param greedyStepsCorrect steps of the greedy solution the ground-truth step checker accepts
 *     (arith only; 0 otherwise)
 * @param samples sampled solutions
 * @param samplesCorrect sampled solutions with the right final answer
 * @param greedyText the greedy solution, for inspection
 */
public record ProblemResult(
    String id,
    int steps,
    boolean greedyCorrect,
    int greedyStepsCorrect,
    int samples,
    int samplesCorrect,
    String greedyText) {}
