/**
 * The loop of supervised training that SFT and PRM training share: a {@link
 * dev.rlflow.training.loop.TrainingLoop} draws batches in a seeded {@link
 * dev.rlflow.training.loop.BatchOrder}, steps a trainer and reports each update as a {@link
 * dev.rlflow.training.loop.TrainingMetric}.
 */
package dev.rlflow.training.loop;
