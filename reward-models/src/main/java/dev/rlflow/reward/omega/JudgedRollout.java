package dev.rlflow.reward.omega;

import java.util.List;

/**
 * One rollout cut into its own steps (the {@code answer:} line is not a step) with the verifier's
 * verdict on the whole solution it completes.
 *
 * @param steps the rollout's steps, after the prefix it continued
 * @param tokens its length in tokens, the {@code len(r)} of OmegaPRM's Q
 * @param correct true when prefix and rollout together reach the right answer
 */
record JudgedRollout(List<String> steps, int tokens, boolean correct) {
  JudgedRollout {
    steps = List.copyOf(steps);
  }
}
