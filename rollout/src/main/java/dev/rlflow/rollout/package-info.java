/**
 * The generation engine: batched sampling from a policy with a KV cache ({@link
 * dev.rlflow.rollout.GenerationEngine}), many continuations of shared prefixes computed once,
 * seeded per sample so results do not depend on batch composition, and teacher-forced scoring of
 * given responses for the reference policy and the critic ({@link
 * dev.rlflow.rollout.TeacherForcedScorer}).
 */
package dev.rlflow.rollout;
