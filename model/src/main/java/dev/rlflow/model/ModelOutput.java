package dev.rlflow.model;

import ai.djl.ndarray.NDArray;

/**
 * What a forward pass gives: the head's output for every new position and the cache extended by
 * those positions.
 *
 * @param output LM logits (B, T, V), values (B, T), or step-score logits (B, T, 2), by head
 * @param cache keys and values of all P + T positions
 */
public record ModelOutput(NDArray output, KvCache cache) {}
