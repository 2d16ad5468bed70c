/**
 * The weight store that closes the RLHF loop out of band (DESIGN.md §3): the Trainer publishes
 * numbered policy versions ({@link dev.rlflow.resharding.store.WeightStore#publish}), Rollout
 * awaits exactly the version a batch needs and holds it through a reference-counted {@link
 * dev.rlflow.resharding.store.WeightLease}, and applies the immutable {@link
 * dev.rlflow.resharding.store.PolicyWeights} snapshot to its own model in place.
 *
 * <p>{@link dev.rlflow.resharding.store.InMemoryWeightStore} serves colocated placement, {@link
 * dev.rlflow.resharding.store.FilesystemWeightStore} disaggregated placement (publishing versions
 * of {@link dev.rlflow.resharding.checkpoint}'s universal checkpoint, ALGORITHMS.md §7). The
 * resharding plans (ALGORITHMS.md §6) are to implement the same interface.
 */
package dev.rlflow.resharding.store;
