package dev.rlflow.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys and values of every layer for the positions seen so far, so that generation runs one new
 * token per step instead of the whole sequence again. Each array is (B, G, S, D).
 *
 * @param keys one per layer
 * @param values one per layer
 */
public record KvCache(List<NDArray> keys, List<NDArray> values) {
  public KvCache {
    keys = List.copyOf(keys);
    values = List.copyOf(values);
    if (keys.size() != values.size()) {
      throw new IllegalArgumentException(keys.size() + " key layers but " + values.size());
    }
  }

  /** Cached positions S. */
  public long length() {
    return keys.get(0).getShape().get(2);
  }

  /** Sequences B. */
  public long batchSize() {
    return keys.get(0).getShape().get(0);
  }

  /** The cache of the rows {@code rows} (int64 indices into B), e.g. the unfinished sequences. */
  public KvCache select(NDArray rows) {
    return map(a -> a.get(rows));
  }

  /** Every row repeated {@code n} times in place (row r becomes rows r*n .. r*n+n-1). */
  public KvCache repeatRows(int n) {
    return map(a -> a.repeat(0, n));
  }

  /** Moves every array to {@code manager}, e.g. out of a step's scope into a longer one. */
  public KvCache attach(NDManager manager) {
    keys.forEach(a -> a.attach(manager));
    values.forEach(a -> a.attach(manager));
    return this;
  }

  private KvCache map(java.util.function.UnaryOperator<NDArray> f) {
    List<NDArray> k = new ArrayList<>(keys.size());
    List<NDArray> v = new ArrayList<>(values.size());
    for (int i = 0; i < keys.size(); i++) {
      k.add(f.apply(keys.get(i)));
      v.add(f.apply(values.get(i)));
    }
    return new KvCache(k, v);
  }
}
