package dev.rlflow.reward.omega;

import dev.rlflow.core.config.AlgorithmConfig.McProbes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Monte Carlo values of the step prefixes of sampled responses, for VinePPO's step advantages
 * (Kazemnejad et al. 2024, arXiv 2410.01679; ALGORITHMS.md §3): MC(s_j) is the share of k
 * continuations from the prefix ending at step j that the verifier accepts. The prefix that is the
 * whole response is never rolled out: its value is the response's own outcome.
 *
 * <ul>
 *   <li>{@link McProbes#EVERY_STEP} (VinePPO): k continuations from each of the M − 1 inner
 *       prefixes of every response, k (M − 1) rollouts, in one completer call.
 *   <li>{@link McProbes#FIRST_ERROR} (omega-credit): for a response the verifier rejects,
 *       OmegaPRM's binary search for its first wrong step ({@link FirstErrorSearch}, Luo et al.
 *       2024, arXiv 2406.06592), k rollouts per probe, O(k log M); one completer call per round of
 *       probes of all searches. The prefixes from the one ending at the erring step on get 0 (the
 *       search's conclusion); a probed prefix before it keeps its MC; an unprobed one before it
 *       takes the MC of the nearest probed prefix after it, which is > 0 (the search moves past a
 *       prefix only when its MC is, so the prefix just before the error is always probed), else 1.
 *       A response the verifier accepts is probed nowhere: it is itself a correct continuation of
 *       each of its prefixes, whose values are 1.
 * </ul>
 *
 * <p>Continuations' random streams are the completer's: values depend on which responses share a
 * call only through it.
 */
public final class MonteCarloStepValues {

  /**
   * One sampled response to value.
   *
   * @param question its question; the id names its continuations' requests
   * @param steps its steps in order, the last the answer line, at least one
   * @param correct the verifier's verdict on the whole response
   * @param verifier judges a continuation of a prefix of {@code steps}
   */
  public record Trajectory(
      Question question, List<String> steps, boolean correct, SolutionVerifier verifier) {
    public Trajectory {
      Objects.requireNonNull(question, "question");
      Objects.requireNonNull(verifier, "verifier");
      steps = List.copyOf(steps);
      if (steps.isEmpty()) {
        throw new IllegalArgumentException("Invalid length 0 of steps: must be >= 1");
      }
    }
  }

  /**
   * The values of one response's inner prefixes.
   *
   * @param values MC(s_1) … MC(s_{M−1}), in [0, 1]; empty for a response of one step
   * @param rollouts continuations sampled for them
   */
  public record Estimate(double[] values, int rollouts) {
    public Estimate {
      values = values.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }
  }

  private MonteCarloStepValues() {}

  /**
   * The estimates of {@code trajectories}, in their order.
   *
   * @param k continuations per probed prefix, at least 1
   * @throws IllegalStateException when the completer's answers do not match its requests
   */
  public static List<Estimate> estimate(
      List<Trajectory> trajectories, Completer completer, int k, McProbes probes) {
    if (k < 1) {
      throw new IllegalArgumentException("Invalid value " + k + " for k: must be >= 1");
    }
    List<Map<Integer, Double>> probed = new ArrayList<>(trajectories.size());
    for (int i = 0; i < trajectories.size(); i++) {
      probed.add(new HashMap<>());
    }
    return switch (probes) {
      case EVERY_STEP -> everyStep(trajectories, completer, k, probed);
      case FIRST_ERROR -> firstError(trajectories, completer, k, probed);
    };
  }

  private static List<Estimate> everyStep(
      List<Trajectory> trajectories,
      Completer completer,
      int k,
      List<Map<Integer, Double>> probed) {
    List<Integer> owners = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    for (int i = 0; i < trajectories.size(); i++) {
      for (int j = 1; j < trajectories.get(i).steps().size(); j++) {
        owners.add(i);
        lengths.add(j);
      }
    }
    probe(trajectories, completer, k, owners, lengths, probed);
    List<Estimate> out = new ArrayList<>(trajectories.size());
    for (int i = 0; i < trajectories.size(); i++) {
      int inner = trajectories.get(i).steps().size() - 1;
      double[] values = new double[inner];
      for (int j = 1; j <= inner; j++) {
        values[j - 1] = probed.get(i).get(j);
      }
      out.add(new Estimate(values, k * inner));
    }
    return out;
  }

  private static List<Estimate> firstError(
      List<Trajectory> trajectories,
      Completer completer,
      int k,
      List<Map<Integer, Double>> probed) {
    List<FirstErrorSearch> searches = new ArrayList<>(trajectories.size());
    for (Trajectory t : trajectories) {
      searches.add(t.correct() ? null : new FirstErrorSearch(t.steps().size()));
    }
    while (true) {
      List<Integer> owners = new ArrayList<>();
      List<Integer> lengths = new ArrayList<>();
      for (int i = 0; i < searches.size(); i++) {
        OptionalInt next =
            searches.get(i) == null ? OptionalInt.empty() : searches.get(i).nextProbe();
        if (next.isPresent()) {
          owners.add(i);
          lengths.add(next.getAsInt());
        }
      }
      if (owners.isEmpty()) {
        break;
      }
      probe(trajectories, completer, k, owners, lengths, probed);
      for (int n = 0; n < owners.size(); n++) {
        int i = owners.get(n);
        searches.get(i).record(probed.get(i).get(lengths.get(n)) > 0);
      }
    }
    List<Estimate> out = new ArrayList<>(trajectories.size());
    for (int i = 0; i < trajectories.size(); i++) {
      int inner = trajectories.get(i).steps().size() - 1;
      double[] values = new double[inner];
      if (searches.get(i) == null) {
        Arrays.fill(values, 1.0);
      } else {
        // Prefixes of more than firstError steps hold the error: 0. Before it, walk backwards.
        int firstError = searches.get(i).firstError();
        double after = 1.0;
        for (int j = firstError; j >= 1; j--) {
          Double mc = probed.get(i).get(j);
          if (mc != null) {
            after = mc;
          }
          values[j - 1] = after;
        }
      }
      out.add(new Estimate(values, k * probed.get(i).size()));
    }
    return out;
  }

  /**
   * Rolls out k continuations from the first {@code lengths[n]} steps of trajectory {@code
   * owners[n]}, for every n, in one completer call, and records each prefix's MC in {@code probed}.
   */
  private static void probe(
      List<Trajectory> trajectories,
      Completer completer,
      int k,
      List<Integer> owners,
      List<Integer> lengths,
      List<Map<Integer, Double>> probed) {
    if (owners.isEmpty()) {
      return;
    }
    List<RolloutRequest> requests = new ArrayList<>(owners.size());
    for (int n = 0; n < owners.size(); n++) {
      Trajectory t = trajectories.get(owners.get(n));
      requests.add(new RolloutRequest(t.question(), t.steps().subList(0, lengths.get(n)), k));
    }
    List<List<Continuation>> answers = completer.completeChecked(List.copyOf(requests));
    for (int n = 0; n < owners.size(); n++) {
      Trajectory t = trajectories.get(owners.get(n));
      double mc = RolloutBatch.judge(requests.get(n), answers.get(n), t.verifier()).mc();
      probed.get(owners.get(n)).put(lengths.get(n), mc);
    }
  }
}
