package dev.rlflow.jobs.eval;

import java.util.Map;

/**
 * One sampled solution of a selection problem, judged and scored.
 *
 * @param answerKey the equivalence key of its final answer, or null when it has none
 * @param correct the answer verifier accepts it
 * @param stepTruth per reasoning step, whether the prefix ending there is correct by the
 *     ground-truth step checker (arith); empty without ground truth
 * @param stepScores per PRM objective ({@code soft}, {@code hard}, {@code pairwise}), P(correct) of
 *     each step
 */
public record SelectionSample(
    String answerKey, boolean correct, boolean[] stepTruth, Map<String, double[]> stepScores) {}
