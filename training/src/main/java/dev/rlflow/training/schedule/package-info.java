/**
 * Learning-rate schedules as pure functions of the update index: {@link
 * dev.rlflow.training.schedule.LearningRateSchedule} with linear warm-up, then cosine decay or a
 * constant rate.
 */
package dev.rlflow.training.schedule;
