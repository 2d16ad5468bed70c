package dev.rlflow.jobs.pipeline;

import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.prm.PrmTrainJob;
import dev.rlflow.jobs.rlhf.RlMetric;
import dev.rlflow.jobs.rlhf.RlhfJob;
import dev.rlflow.jobs.run.StageName;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * RL from the latest policy ({@code algorithm.name}), with step rewards from the state's PRM of
 * {@code prm.objective} when there is one and {@code reward.step_weight} > 0; its policy becomes
 * the latest one, and what it started from is kept for the control.
 */
final class RlStage implements PipelineStage {
  @Override
  public StageName name(PipelineState state) {
    return StageName.RL;
  }

  @Override
  public Outcome run(PipelineState state, StageContext context) throws Exception {
    RunConfig config = context.config();
    PrintWriter out = context.out();
    String initial = state.policy("start RL from");
    String prm =
        config.reward().stepWeight() > 0 ? state.prms().get(PrmTrainJob.objective(config)) : null;
    out.printf(
        "rlhf: %s from %s, %d iterations of %d x %d samples, step rewards %s%n",
        config.algorithm().name().name().toLowerCase(Locale.ROOT),
        initial,
        config.rollout().iterations(),
        config.rollout().promptsPerBatch(),
        config.rollout().samplesPerPrompt(),
        prm == null ? "none (outcome only)" : "from " + prm);
    out.flush();
    RlhfJob.Result rl =
        RlhfJob.run(
            config,
            context.run(),
            context.runner(),
            initial,
            prm,
            context.metrics(),
            context.secondsSinceStart(),
            context.progress());
    RlMetric last = rl.metrics().get(rl.metrics().size() - 1);
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("iterations", (double) rl.iterations());
    figures.put("final_sample_accuracy", last.accuracy());
    figures.put(
        "gen_tokens_per_s",
        rl.metrics().stream().mapToDouble(RlMetric::genTokensPerSecond).average().orElse(0));
    figures.put(
        "train_tokens_per_s",
        rl.metrics().stream().mapToDouble(RlMetric::trainTokensPerSecond).average().orElse(0));
    figures.put("dead_letters", (double) rl.deadLetters());
    figures.put(
        "logprob_gap_max",
        rl.metrics().stream()
            .mapToDouble(RlMetric::logProbGapMax)
            .filter(v -> !Double.isNaN(v))
            .max()
            .orElse(Double.NaN));
    // the ground-truth audit of what the verifier accepted (arith only): a measurement
    rl.metrics().stream()
        .mapToDouble(RlMetric::acceptedWrongStepShare)
        .filter(v -> !Double.isNaN(v))
        .average()
        .ifPresent(share -> figures.put("accepted_wrong_steps", share));
    if (config.algorithm().name() == AlgorithmConfig.Name.VINEPPO) {
      figures.put(
          "mc_rollouts_per_iteration",
          rl.metrics().stream().mapToDouble(RlMetric::mcRollouts).average().orElse(0));
    }
    out.printf(
        "rlhf: %d iterations in %.1f s, sample accuracy %.3f -> %.3f, checkpoint %s,"
            + " weights sha256 %s%n",
        rl.iterations(),
        rl.wallSeconds(),
        rl.metrics().get(0).accuracy(),
        last.accuracy(),
        rl.checkpoint(),
        rl.weightsSha256());
    PipelineState.RlStart start =
        new PipelineState.RlStart(initial, rl.wallSeconds(), rl.weightsSha256());
    return new Outcome(state.afterRl(rl.checkpoint(), start), figures);
  }
}
