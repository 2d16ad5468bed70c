/**
 * The order in which training operators draw examples: {@link dev.rlflow.jobs.batch.BatchOrder}, a
 * seeded shuffle per epoch.
 */
package dev.rlflow.jobs.batch;
