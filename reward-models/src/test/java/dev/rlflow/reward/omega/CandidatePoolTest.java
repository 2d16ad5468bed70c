package dev.rlflow.reward.omega;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidatePoolTest {
  private static final Question QUESTION = new Question("q", "1 + 1?");

  private final CandidatePool pool = new CandidatePool(OmegaPrmSearch.Params.defaults());

  @Test
  void popsTheWorkedExamplesWinnerFirst() {
    TreeState s1 = state("s1", 3, 4);
    s1.visit();
    TreeState s2 = state("s2", 1, 4);
    JudgedRollout r1 = rollout(200);
    JudgedRollout r2 = rollout(100);
    pool.add(s2, r2);
    pool.add(s1, r1);

    assertThat(pool.pop(3).rollout()).isSameAs(r1);
    assertThat(pool.pop(3).rollout()).isSameAs(r2);
    assertThat(pool.isEmpty()).isTrue();
  }

  @Test
  void recomputesExplorationAtEveryPop() {
    TreeState a = state("a", 1, 2);
    TreeState b = state("b", 1, 2);
    JudgedRollout a1 = rollout(10);
    JudgedRollout a2 = rollout(10);
    JudgedRollout b1 = rollout(10);
    pool.add(a, a1);
    pool.add(a, a2);
    pool.add(b, b1);

    // Σ N = 0: equal scores, insertion order decides.
    CandidatePool.Candidate first = pool.pop(0);
    first.state().visit();
    // Σ N = 1: U(a) = c / 2, U(b) = c; a priority computed when a2 was added would still tie.
    CandidatePool.Candidate second = pool.pop(1);

    assertThat(first.rollout()).isSameAs(a1);
    assertThat(second.rollout()).isSameAs(b1);
    assertThat(pool.pop(1).rollout()).isSameAs(a2);
  }

  @Test
  void refusesToPopFromAnEmptyPool() {
    assertThatThrownBy(() -> pool.pop(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("The candidate pool is empty");
  }

  /** A state whose rollouts were {@code correct} right out of {@code total}. */
  private static TreeState state(String step, int correct, int total) {
    List<JudgedRollout> rollouts = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      rollouts.add(new JudgedRollout(List.of("x"), 1, i < correct));
    }
    TreeState state = new TreeState(List.of(step));
    state.record(new RolloutBatch(new RolloutRequest(QUESTION, List.of(step), total), rollouts));
    return state;
  }

  private static JudgedRollout rollout(int tokens) {
    return new JudgedRollout(List.of("wrong step"), tokens, false);
  }
}
