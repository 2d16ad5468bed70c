/**
 * The problems of a run's task as jobs see them: {@link dev.rlflow.jobs.problem.TaskData} reads or
 * generates them where a job is built, {@link dev.rlflow.jobs.problem.ProblemRecord} carries one
 * between operators.
 */
package dev.rlflow.jobs.problem;
