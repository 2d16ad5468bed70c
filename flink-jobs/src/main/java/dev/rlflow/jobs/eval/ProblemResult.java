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
 * @param referenceLogProb the policy's log-probability of the reference solution (teacher-forced)
 * @param referenceTokens tokens of the reference solution (with EOS)
 * @param greedyText the greedy solution, for inspection
 */
public record ProblemResult(
    String id,
    int steps,
    boolean greedyCorrect,
    int greedyStepsCorrect,
    int samples,
    int samplesCorrect,
    double referenceLogProb,
    int referenceTokens,
    String greedyText) {}
