package dev.rlflow.reward.omega;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FirstErrorSearchTest {

  /** ALGORITHMS.md §1: (first error j of M = 8, probed prefix lengths). */
  static Stream<Arguments> oracle() {
    return Stream.of(
        Arguments.of(1, List.of(4, 2, 1)),
        Arguments.of(2, List.of(4, 2, 1)),
        Arguments.of(3, List.of(4, 2, 3)),
        Arguments.of(4, List.of(4, 2, 3)),
        Arguments.of(5, List.of(4, 6, 5)),
        Arguments.of(6, List.of(4, 6, 5)),
        Arguments.of(7, List.of(4, 6, 7)),
        Arguments.of(8, List.of(4, 6, 7)));
  }

  @ParameterizedTest(name = "first error at step {0} of 8 → probes {1}")
  @MethodSource("oracle")
  void probesOfTheAlgorithmsMdOracle(int firstError, List<Integer> probes) {
    assertThat(probes(8, firstError)).containsExactlyElementsOf(probes);
  }

  @Test
  void sixteenStepsTakeFourProbesWhereverTheErrorIs() {
    for (int j = 1; j <= 16; j++) {
      assertThat(probes(16, j)).as("first error at step %d", j).hasSize(4);
    }
  }

  @Test
  void aOneStepSolutionNeedsNoProbe() {
    FirstErrorSearch search = new FirstErrorSearch(1);

    assertThat(search.nextProbe()).isEmpty();
    assertThat(search.firstError()).isZero();
    assertThat(search.firstErrorProbed()).isFalse();
  }

  /**
   * Every split leaves ⌈n/2⌉ or ⌊n/2⌋ candidates, so the decision tree over the m positions is
   * balanced: each position takes a = ⌊log2 m⌋ or a + 1 probes, and a + 1 for exactly 2(m − 2^a) of
   * them (the leaves a complete binary tree of depth a must split to hold m leaves).
   */
  @Test
  void findsEveryFirstErrorWithLogarithmicallyManyProbesNeverTheFullSolution() {
    for (int m = 1; m <= 300; m++) {
      assertLogarithmicProbes(m);
    }
  }

  private static void assertLogarithmicProbes(int m) {
    int a = 31 - Integer.numberOfLeadingZeros(m);
    int deeper = 0;
    for (int j = 1; j <= m; j++) {
      List<Integer> probes = probes(m, j);
      assertThat(probes).as("m %d, j %d", m, j).allMatch(t -> t >= 1 && t < m);
      assertThat(probes.size()).as("m %d, j %d", m, j).isBetween(a, a + 1);
      if (probes.size() == a + 1) {
        deeper++;
      }
    }
    assertThat(deeper)
        .as("positions taking %d probes for m %d", a + 1, m)
        .isEqualTo(2 * (m - (1 << a)));
  }

  @Test
  void rejectsMisuse() {
    assertThatThrownBy(() -> new FirstErrorSearch(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0 for steps: must be >= 1");
    FirstErrorSearch search = new FirstErrorSearch(2);
    assertThatThrownBy(search::firstError)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not located yet");
    search.record(false);
    assertThatThrownBy(() -> search.record(true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("No probe is pending: the first error is located");
  }

  /**
   * The probe lengths of a search on m steps under the oracle "MC(prefix of t steps) > 0 iff t <
   * j", checking that it locates step j.
   */
  private static List<Integer> probes(int m, int j) {
    FirstErrorSearch search = new FirstErrorSearch(m);
    List<Integer> probes = new ArrayList<>();
    for (OptionalInt t = search.nextProbe(); t.isPresent(); t = search.nextProbe()) {
      probes.add(t.getAsInt());
      search.record(t.getAsInt() < j);
    }
    assertThat(search.firstError() + 1).as("first error of m %d, j %d", m, j).isEqualTo(j);
    assertThat(search.firstErrorProbed()).isEqualTo(j < m);
    return probes;
  }
}
