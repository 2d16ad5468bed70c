package dev.rlflow.jobs.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.rlflow.jobs.run.RunFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.core.fs.Path;

/**
 * The figures of one evaluation, the run's {@code eval.json}.
 *
 * <p>Definitions, over the evaluated problems:
 *
 * <ul>
 *   <li>{@code accuracy}: the fraction whose greedy solution has the exact reference answer;
 *   <li>{@code step_accuracy}: the mean over problems of the fraction of the problem's reference
 *       steps that the ground-truth step checker marks correct in the greedy solution (a problem of
 *       4 steps with 3 checked correct counts 0.75, whatever its final answer);
 *   <li>{@code by_steps}: the same two figures per chain length (number of reference steps);
 *   <li>{@code sampled_accuracy}: the mean over problems of the fraction of sampled solutions with
 *       the exact answer ({@code null} when no samples were drawn);
 *   <li>{@code pass_at_k}: the mean over problems of {@link PassAtK#estimate};
 *   <li>{@code reference_nll}: the policy's mean negative log-likelihood per token of the reference
 *       solutions (teacher-forced, nats): a smooth score that falls as SFT learns, before any
 *       answer comes out right.
 * </ul>
 *
 * @param problems the number of problems evaluated, at least 1
 * @param accuracy greedy exact-answer accuracy, in [0, 1]
 * @param stepAccuracy greedy step accuracy, in [0, 1]
 * @param bySteps the figures per chain length, by increasing length; their problems add up to
 *     {@code problems}
 * @param samplesPerProblem sampled solutions per problem, 0 when none were drawn
 * @param sampledAccuracy the exact-answer accuracy of the samples, {@code null} iff none were drawn
 * @param passAtK pass@k for increasing k, each at most {@code samplesPerProblem}
 * @param referenceNll mean negative log-likelihood per reference-solution token, >= 0
 */
@JsonPropertyOrder({
  "problems",
  "accuracy",
  "step_accuracy",
  "by_steps",
  "samples_per_problem",
  "sampled_accuracy",
  "pass_at_k",
  "reference_nll"
})
public record EvalResult(
    @JsonProperty("problems") int problems,
    @JsonProperty("accuracy") double accuracy,
    @JsonProperty("step_accuracy") double stepAccuracy,
    @JsonProperty("by_steps") List<ChainLength> bySteps,
    @JsonProperty("samples_per_problem") int samplesPerProblem,
    @JsonProperty("sampled_accuracy") Double sampledAccuracy,
    @JsonProperty("pass_at_k") List<PassAtK> passAtK,
    @JsonProperty("reference_nll") double referenceNll) {
  /** The file's name inside a run directory. */
  public static final String FILE_NAME = "eval.json";

  /** Validates the figures and copies the lists. */
  public EvalResult {
    if (problems < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + problems + " for problems: must be >= 1");
    }
    checkFraction("accuracy", accuracy);
    if (!(referenceNll >= 0)) {
      throw new IllegalArgumentException(
          "Invalid value " + referenceNll + " for reference_nll: must be >= 0");
    }
    checkFraction("step_accuracy", stepAccuracy);
    if (bySteps == null || passAtK == null) {
      throw new IllegalArgumentException("by_steps and pass_at_k must be present");
    }
    bySteps = List.copyOf(bySteps);
    passAtK = List.copyOf(passAtK);
    int counted = 0;
    for (int i = 0; i < bySteps.size(); i++) {
      if (i > 0 && bySteps.get(i).steps() <= bySteps.get(i - 1).steps()) {
        throw new IllegalArgumentException(
            "Invalid by_steps " + bySteps + ": chain lengths must increase");
      }
      counted += bySteps.get(i).problems();
    }
    if (counted != problems) {
      throw new IllegalArgumentException(
          "Invalid by_steps: its problems add up to " + counted + ", not problems=" + problems);
    }
    if (samplesPerProblem < 0) {
      throw new IllegalArgumentException(
          "Invalid value " + samplesPerProblem + " for samples_per_problem: must be >= 0");
    }
    if ((samplesPerProblem == 0) != (sampledAccuracy == null)) {
      throw new IllegalArgumentException(
          "Invalid value "
              + sampledAccuracy
              + " for sampled_accuracy: must be null iff samples_per_problem="
              + samplesPerProblem
              + " is 0");
    }
    if (sampledAccuracy != null) {
      checkFraction("sampled_accuracy", sampledAccuracy);
    }
    for (int i = 0; i < passAtK.size(); i++) {
      int k = passAtK.get(i).k();
      if (k > samplesPerProblem || (i > 0 && k <= passAtK.get(i - 1).k())) {
        throw new IllegalArgumentException(
            "Invalid pass_at_k "
                + passAtK
                + ": k must increase and be <= samples_per_problem="
                + samplesPerProblem);
      }
    }
  }

  /**
   * The figures for one chain length.
   *
   * @param steps the number of reference steps, at least 1
   * @param problems how many problems have that many steps, at least 1
   * @param accuracy their greedy exact-answer accuracy
   * @param stepAccuracy their greedy step accuracy
   */
  @JsonPropertyOrder({"steps", "problems", "accuracy", "step_accuracy"})
  public record ChainLength(
      @JsonProperty("steps") int steps,
      @JsonProperty("problems") int problems,
      @JsonProperty("accuracy") double accuracy,
      @JsonProperty("step_accuracy") double stepAccuracy) {
    /** Validates the figures. */
    public ChainLength {
      if (steps < 1 || problems < 1) {
        throw new IllegalArgumentException(
            "Invalid by_steps entry steps=" + steps + ", problems=" + problems + ": both >= 1");
      }
      checkFraction("by_steps[" + steps + "].accuracy", accuracy);
      checkFraction("by_steps[" + steps + "].step_accuracy", stepAccuracy);
    }
  }

  /**
   * What the evaluation found for one problem.
   *
   * @param steps the problem's number of reference steps, at least 1
   * @param correctSteps how many of them the step checker marks correct in the greedy solution
   * @param correct whether the greedy solution has the exact reference answer
   * @param samples how many solutions were sampled
   * @param correctSamples how many of those have the exact reference answer
   */
  public record ProblemOutcome(
      int steps,
      int correctSteps,
      boolean correct,
      int samples,
      int correctSamples,
      double referenceLogProb,
      int referenceTokens) {
    /** Validates the counts. */
    public ProblemOutcome {
      if (steps < 1 || correctSteps < 0 || correctSteps > steps) {
        throw new IllegalArgumentException(
            "Invalid step counts correctSteps="
                + correctSteps
                + ", steps="
                + steps
                + ": must satisfy 0 <= correctSteps <= steps and steps >= 1");
      }
      if (samples < 0 || correctSamples < 0 || correctSamples > samples) {
        throw new IllegalArgumentException(
            "Invalid sample counts correctSamples="
                + correctSamples
                + ", samples="
                + samples
                + ": must satisfy 0 <= correctSamples <= samples");
      }
      if (referenceTokens < 1 || !(referenceLogProb <= 0)) {
        throw new IllegalArgumentException(
            "Invalid reference log-prob "
                + referenceLogProb
                + " over "
                + referenceTokens
                + " tokens: must be <= 0 over >= 1 tokens");
      }
    }
  }

  /**
   * Aggregates per-problem outcomes into the figures defined above.
   *
   * @param outcomes one per problem, at least one, all with the same number of samples
   * @param ks the k of each pass@k to report; empty when no samples were drawn
   * @throws IllegalArgumentException if the outcomes are empty, their sample counts differ, or a k
   *     is not in {@code [1, samples]}
   */
  public static EvalResult of(List<ProblemOutcome> outcomes, List<Integer> ks) {
    if (outcomes.isEmpty()) {
      throw new IllegalArgumentException("An evaluation needs at least one problem outcome");
    }
    int n = outcomes.get(0).samples();
    for (ProblemOutcome o : outcomes) {
      if (o.samples() != n) {
        throw new IllegalArgumentException(
            "Every problem must have the same number of samples: found " + n + " and " + o);
      }
    }
    Map<Integer, List<ProblemOutcome>> byLength = new TreeMap<>();
    for (ProblemOutcome o : outcomes) {
      byLength.computeIfAbsent(o.steps(), s -> new ArrayList<>()).add(o);
    }
    List<ChainLength> bySteps = new ArrayList<>();
    for (Map.Entry<Integer, List<ProblemOutcome>> e : byLength.entrySet()) {
      List<ProblemOutcome> group = e.getValue();
      bySteps.add(
          new ChainLength(e.getKey(), group.size(), greedyAccuracy(group), stepAccuracy(group)));
    }
    Double sampled = null;
    List<PassAtK> passAtK = new ArrayList<>();
    if (n > 0) {
      double sum = 0;
      for (ProblemOutcome o : outcomes) {
        sum += (double) o.correctSamples() / n;
      }
      sampled = sum / outcomes.size();
    }
    for (int k : new TreeSet<>(ks)) {
      if (k < 1 || k > n) {
        throw new IllegalArgumentException(
            "Invalid k=" + k + " for pass@k: must be in [1, samples per problem=" + n + "]");
      }
      double sum = 0;
      for (ProblemOutcome o : outcomes) {
        sum += PassAtK.estimate(n, o.correctSamples(), k);
      }
      passAtK.add(new PassAtK(k, sum / outcomes.size()));
    }
    return new EvalResult(
        outcomes.size(),
        greedyAccuracy(outcomes),
        stepAccuracy(outcomes),
        bySteps,
        n,
        sampled,
        passAtK,
        referenceNll(outcomes));
  }

  private static double referenceNll(List<ProblemOutcome> outcomes) {
    double logProb = 0;
    long tokens = 0;
    for (ProblemOutcome o : outcomes) {
      logProb += o.referenceLogProb();
      tokens += o.referenceTokens();
    }
    return -logProb / tokens;
  }

  /** Replaces {@code file} with these figures as JSON. */
  public void write(Path file) throws IOException {
    RunFiles.replace(file, RunFiles.JSON.writeValueAsBytes(this));
  }

  /**
   * Reads figures written by {@link #write}.
   *
   * @throws IOException if the file is missing, is not JSON, or breaks a rule above
   */
  public static EvalResult read(Path file) throws IOException {
    return RunFiles.JSON.readValue(RunFiles.read(file), EvalResult.class);
  }

  private static double greedyAccuracy(List<ProblemOutcome> outcomes) {
    long correct = outcomes.stream().filter(ProblemOutcome::correct).count();
    return (double) correct / outcomes.size();
  }

  private static double stepAccuracy(List<ProblemOutcome> outcomes) {
    double sum = 0;
    for (ProblemOutcome o : outcomes) {
      sum += (double) o.correctSteps() / o.steps();
    }
    return sum / outcomes.size();
  }

  private static void checkFraction(String key, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          "Invalid value " + value + " for " + key + ": must be in [0, 1]");
    }
  }
}
