package dev.rlflow.reward.omega;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * OmegaPRM against per-step Monte Carlo on 100 arith-like questions with a fake policy whose ground
 * truth is known ({@link ArithChainPolicy}), both at the paper's defaults through one driver each.
 * It prints the distinct labels each yields per rollout and checks that both label accurately and
 * never label one path twice. The paper reports far more labels at equal compute (ALGORITHMS.md
 * §1); on these short chains, where the policy writes the same steps again and again, OmegaPRM
 * yields fewer <em>distinct</em> labels per rollout than the baseline (about 28 vs 89 per 1k): its
 * tree pools rollouts that share paths, and its binary search pays off on long solutions.
 */
class ArithChainSimulationTest {
  private static final int QUESTIONS = 100;
  private static final long SEED = 2024;

  /** What one method spent and how good its labels are. */
  private record Figures(
      String method,
      long rollouts,
      long labels,
      double hardAccuracy,
      double softError,
      int filtered,
      long duplicates) {

    double labelsPerThousandRollouts() {
      return 1000.0 * labels / rollouts;
    }

    String line() {
      return String.format(
          Locale.ROOT,
          "%-20s rollouts %8d  labels %8d  labels/1k rollouts %7.1f  hard accuracy %.4f"
              + "  mean |soft − true MC| %.4f  filtered %d/%d",
          method,
          rollouts,
          labels,
          labelsPerThousandRollouts(),
          hardAccuracy,
          softError,
          filtered,
          QUESTIONS);
    }
  }

  @Test
  void comparesDistinctLabelsPerRolloutWithPerStepMonteCarlo() {
    OmegaPrmSearch.Params params = OmegaPrmSearch.Params.defaults();
    ArithChainPolicy omegaPolicy = new ArithChainPolicy(QUESTIONS, SEED);
    List<LabelSearch> omegaSearches = new ArrayList<>();
    for (ArithChainPolicy.Chain chain : omegaPolicy.chains()) {
      omegaSearches.add(
          new OmegaPrmSearch(chain.question(), params, chain.verifier(), omegaSearches.size(), 1));
    }
    ArithChainPolicy perStepPolicy = new ArithChainPolicy(QUESTIONS, SEED);
    List<LabelSearch> perStepSearches = new ArrayList<>();
    for (ArithChainPolicy.Chain chain : perStepPolicy.chains()) {
      perStepSearches.add(
          new PerStepMonteCarlo(
              chain.question(), params, chain.verifier(), perStepSearches.size(), 1));
    }

    Figures omega = run("OmegaPRM", omegaPolicy, omegaSearches);
    Figures perStep = run("per-step MC", perStepPolicy, perStepSearches);

    System.out.println(omega.line());
    System.out.println(perStep.line());
    System.out.printf(
        Locale.ROOT,
        "distinct labels per rollout, OmegaPRM / per-step MC: %.2f×%n",
        omega.labelsPerThousandRollouts() / perStep.labelsPerThousandRollouts());
    assertThat(omega.filtered()).isEqualTo(perStep.filtered()).isLessThan(QUESTIONS / 2);
    assertThat(omega.duplicates()).isZero();
    assertThat(perStep.duplicates()).isZero();
    assertThat(omega.hardAccuracy()).isGreaterThanOrEqualTo(0.9);
    assertThat(perStep.hardAccuracy()).isGreaterThanOrEqualTo(0.9);
  }

  private static Figures run(String method, ArithChainPolicy policy, List<LabelSearch> searches) {
    SearchDriver driver = new SearchDriver(policy, 64);
    searches.forEach(driver::add);
    long[] right = new long[1];
    double[] softError = new double[1];
    Set<List<String>> paths = new HashSet<>();
    long[] duplicates = new long[1];
    driver.drain(
        label -> {
          ArithChainPolicy.Chain chain = policy.chain(label.questionId());
          List<String> path = new ArrayList<>(label.prefixSteps());
          path.add(label.step());
          List<String> keyed = new ArrayList<>(path);
          keyed.add(0, label.questionId());
          if (!paths.add(keyed)) {
            duplicates[0]++;
          }
          if (label.correct() == chain.isRight(path)) {
            right[0]++;
          }
          softError[0] += Math.abs(label.mcValue() - chain.trueValue(path));
        });
    SearchDriver.Stats stats = driver.stats();
    return new Figures(
        method,
        stats.rollouts(),
        stats.labels(),
        (double) right[0] / stats.labels(),
        softError[0] / stats.labels(),
        stats.questionsFiltered(),
        duplicates[0]);
  }
}
