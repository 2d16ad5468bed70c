/**
 * The KL penalty to the reference policy: Schulman's per-token {@link
 * dev.rlflow.training.kl.KlEstimators} (on arrays for KL in the reward, on NDArrays for KL in the
 * loss) and the {@link dev.rlflow.training.kl.KlController} that sets its coefficient, fixed or
 * adaptive (Ziegler et al. 2019).
 */
package dev.rlflow.training.kl;
