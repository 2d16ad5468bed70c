package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.jobs.policy.PolicyCompleter;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.reward.omega.MonteCarloStepValues;
import dev.rlflow.reward.omega.MonteCarloStepValues.Estimate;
import dev.rlflow.reward.omega.MonteCarloStepValues.Trajectory;
import dev.rlflow.reward.omega.Question;
import dev.rlflow.reward.verifier.OutcomeVerifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * vineppo's step values in the rollout operator, which holds the policy at exactly the version that
 * sampled the batch: each response is cut into its steps and valued by {@link MonteCarloStepValues}
 * ({@code algorithm.mc_rollouts}, {@code algorithm.mc_probes}), continuations sampled by the same
 * engine and parameters as the responses and judged by the run's outcome verifier ({@code
 * reward.verifier}) against the prompt's answer. V̂ is in reward units: {@code
 * reward.outcome_weight} times the share of accepted continuations; the last step's is NaN, since
 * it is the response's own outcome, which the reward operator computes.
 *
 * <p>Steps are the response's newline-ended segments with blank ones (a lone newline, the stop
 * token after the answer line) joined to the step after them, the last step running to the last
 * token: so the answer line is the last step and no rollout continues a prefix that only lacks the
 * stop token.
 *
 * <p>A continuation may write up to {@code rollout.max_new_tokens} after its prefix, as much as the
 * context leaves ({@link PolicyCompleter}), so a prefix of a response cut at its length limit can
 * still be completed.
 *
 * <p>Continuation requests are named {@code <problem id>@<batch>/<sample index>|<prefix>}: with the
 * engine's seed (run seed, version), a continuation's random stream depends only on (run seed,
 * version, problem, response in its group, step, k), not on how the batch is sharded.
 */
final class StepValues {
  private StepValues() {}

  /**
   * {@code responses} (prompt by prompt, {@code rollout.samples_per_prompt} each) with their steps
   * valued.
   */
  static List<Response> estimate(
      List<Response> responses,
      long batch,
      RunConfig config,
      PolicyCompleter completer,
      Tokenizer tokenizer) {
    AlgorithmConfig algorithm = config.algorithm();
    int samples = config.rollout().samplesPerPrompt();
    List<Trajectory> trajectories = new ArrayList<>(responses.size());
    List<int[]> ends = new ArrayList<>(responses.size());
    for (int i = 0; i < responses.size(); i++) {
      Response r = responses.get(i);
      Prompt p = r.prompt();
      List<String> steps = new ArrayList<>();
      ends.add(steps(r, tokenizer, steps));
      OutcomeVerifier verifier =
          OutcomeVerifier.of(config.reward().verifier(), p.problemId(), p.question(), p.answer());
      trajectories.add(
          new Trajectory(
              new Question(p.problemId() + "@" + batch + "/" + (i % samples), p.question()),
              steps,
              verifier.correct(tokenizer.decode(r.tokens())),
              (prefix, continuation) ->
                  verifier.correct(PolicyCompleter.solution(prefix, continuation.text()))));
    }
    List<Estimate> estimates =
        MonteCarloStepValues.estimate(
            trajectories, completer, algorithm.mcRollouts(), algorithm.mcProbes());
    double weight = config.reward().outcomeWeight();
    List<Response> valued = new ArrayList<>(responses.size());
    for (int i = 0; i < responses.size(); i++) {
      Estimate estimate = estimates.get(i);
      double[] inner = estimate.values();
      double[] values = new double[inner.length + 1];
      for (int j = 0; j < inner.length; j++) {
        values[j] = weight * inner[j];
      }
      values[inner.length] = Double.NaN; // the response's own outcome
      valued.add(responses.get(i).withStepValues(ends.get(i), values, estimate.rollouts()));
    }
    return valued;
  }

  /**
   * Cuts {@code r} into its steps: adds each step's text to {@code texts} (without the newline that
   * ends it, as {@link PolicyCompleter#solution} joins them) and returns the token index ending
   * each.
   */
  static int[] steps(Response r, Tokenizer tokenizer, List<String> texts) {
    int[] tokens = r.tokens();
    List<Integer> ends = new ArrayList<>();
    StringBuilder pending = new StringBuilder(); // blank segments, joined to the next step
    int from = 0;
    for (int end : r.stepEnds()) {
      String segment = tokenizer.decode(Arrays.copyOfRange(tokens, from, end + 1));
      from = end + 1;
      pending.append(segment);
      if (!segment.isBlank()) {
        ends.add(end);
        texts.add(pending.toString());
        pending.setLength(0);
      }
    }
    if (ends.isEmpty()) {
      ends.add(tokens.length - 1);
      texts.add(pending.toString());
    } else {
      // trailing blank segments (the stop token) belong to the last step
      ends.set(ends.size() - 1, tokens.length - 1);
      texts.set(texts.size() - 1, texts.get(texts.size() - 1) + pending);
    }
    for (int j = 0; j < texts.size(); j++) {
      String text = texts.get(j);
      texts.set(j, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
    }
    return ends.stream().mapToInt(Integer::intValue).toArray();
  }
}
