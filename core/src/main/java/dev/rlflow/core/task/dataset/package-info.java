/**
 * Dataset readers: JSONL files in the GSM8K and MATH layouts become {@link
 * dev.rlflow.core.task.Problem}s whose reference solutions all end in an {@code answer: X} line,
 * with malformed lines kept as {@link dev.rlflow.core.task.dataset.DeadLetter}s. The entry point is
 * {@link dev.rlflow.core.task.dataset.DatasetReader}.
 */
package dev.rlflow.core.task.dataset;
