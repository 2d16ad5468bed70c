package dev.rlflow.reward.omega;

import dev.rlflow.core.label.ProcessLabel;
import java.util.List;
import java.util.Optional;

/**
 * A search that produces process labels for one question, asking for rollouts one request at a time
 * so that a driver can batch the requests of many searches into one generation call.
 *
 * <p>Protocol: while {@link #pending()} returns a request, the driver answers it with {@link
 * #accept}; labels become available through {@link #takeLabels()}; when {@code pending()} is empty
 * the search is done.
 */
public interface LabelSearch {
  /** The rollouts this search needs next; the same request until {@link #accept}; empty: done. */
  Optional<RolloutRequest> pending();

  /**
   * Answers the pending request with exactly {@code pending().get().count()} continuations.
   *
   * @throws IllegalStateException when nothing is pending or the count differs
   */
  void accept(List<Continuation> continuations);

  /** The labels produced since the last call (each label is returned once). */
  List<ProcessLabel> takeLabels();

  /** What the search has spent and produced so far. */
  SearchStats stats();
}
