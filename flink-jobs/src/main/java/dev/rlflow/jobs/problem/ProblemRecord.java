package dev.rlflow.jobs.problem;

/**
 * A problem as it flows between operators: plain fields, so Flink serialises it as a POJO.
 *
 * @param id stable id
 * @param question the prompt text
 * @param solution the reference solution (steps, then {@code answer: N}); empty when unknown
 * @param answer the reference final answer
 * @param steps reasoning steps of the reference solution (the chain length for arith)
 */
public record ProblemRecord(
    String id, String question, String solution, String answer, int steps) {}
