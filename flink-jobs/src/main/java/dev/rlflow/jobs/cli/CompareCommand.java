package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rlflow compare CONFIG --algorithms ...}: RL variants trained from one SFT checkpoint for
 * the same iterations, each evaluated on the same held-out problems, side by side.
 */
@Command(
    name = "compare",
    description = {
      "Train RL variants from the same policy for rollout.iterations iterations each (or",
      "--budget-seconds of wall time each), with --seeds seeds, and print held-out accuracy",
      "(mean and standard deviation over the seeds), iterations, wall time, tokens/s and, on",
      "arith, the share of verifier-accepted responses with a wrong step (the step checker's",
      "audit, never a reward) side by side, after the starting policy's own accuracy. A",
      "variant is",
      "ALGORITHM[-process|-outcome][-lagN]: ppo, grpo, rloo, reinforce_pp, raft, vineppo",
      "(step credit from Monte Carlo values of every step prefix) or omega-credit (vineppo",
      "valuing a rejected response's prefixes by OmegaPRM's binary search for its first wrong",
      "step, algorithm.mc_probes first_error); -process adds the PRM's step rewards",
      "(reward.step_weight, or 0.5 when it is 0), otherwise rewards are outcome only; -lagN",
      "sets rollout.max_staleness to N; --set gives one variant settings of its own. Each",
      "variant and seed is a run of its own, <run.id or compare-<time>>-<variant>[-s<seed>]."
    },
    mixinStandardHelpOptions = true)
final class CompareCommand implements Callable<Integer> {
  private static final Pattern VARIANT =
      Pattern.compile(
          "(ppo|grpo|rloo|reinforce_pp|raft|vineppo|omega-credit)(-process|-outcome)?(-lag(\\d+))?");

  private static final Pattern SETTING = Pattern.compile("([^:]+):([^=]+)=(.*)");

  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;

  @Option(
      names = "--algorithms",
      split = ",",
      paramLabel = "VARIANT",
      description = "Variants to train (default: ${DEFAULT-VALUE}).",
      defaultValue = "ppo-process,ppo-outcome,grpo,grpo-process,ppo-process-lag1")
  List<String> variants;

  @Option(
      names = "--set",
      paramLabel = "VARIANT:KEY=VALUE",
      description =
          "A configuration override for one variant only, e.g. raft:algorithm.actor_lr=1e-4"
              + " (algorithms differ in the settings they survive); repeatable.")
  List<String> variantSettings = new ArrayList<>();

  @Mixin MultiRunOptions runs;

  @Option(
      names = "--seeds",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Train every variant with N run seeds (run.seed, run.seed + 1, ...): accuracy is"
              + " their mean and sample standard deviation. Default: ${DEFAULT-VALUE}.")
  int seeds;

  @Option(
      names = "--budget-seconds",
      paramLabel = "S",
      description =
          "Give every variant the same wall time: the trainer ends its run after the iteration"
              + " that spends S seconds (rollout.time_budget); rollout.iterations stays the"
              + " upper bound, so set it high.")
  Double budgetSeconds;

  @Option(
      names = "--prm",
      paramLabel = "DIR",
      description =
          "The PRM of the -process variants. Default: the latest run's"
              + " checkpoints/prm-<prm.objective>.")
  String prm;

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description =
          "Also write {\"<variant>\": {\"accuracy_mean\", \"accuracy_std\", \"seeds\","
              + " \"iterations\", \"wall_seconds\", \"logprob_gap_max\", ...}, ...} to FILE.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig base = source.load();
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Map<String, String>> plans = new LinkedHashMap<>();
    for (String variant : variants) {
      plans.put(variant, overrides(variant, base));
    }
    for (String setting : variantSettings) {
      Matcher m = SETTING.matcher(setting);
      if (!m.matches() || !plans.containsKey(m.group(1))) {
        throw new ParameterException(
            spec.commandLine(),
            "Invalid value '"
                + setting
                + "' for --set: must be VARIANT:KEY=VALUE with VARIANT one of --algorithms ("
                + String.join(", ", plans.keySet())
                + ")");
      }
      plans.get(m.group(1)).put(m.group(2), m.group(3));
    }
    for (Map<String, String> plan : plans.values()) {
      load(plan); // every variant's configuration is checked before the first one trains
    }
    if (seeds < 1) {
      throw new ParameterException(
          spec.commandLine(), "Invalid value " + seeds + " for --seeds: must be >= 1");
    }
    if (budgetSeconds != null && !(budgetSeconds > 0)) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value " + budgetSeconds + " for --budget-seconds: must be > 0");
    }
    String policy = runs.policy(base, spec.commandLine());
    Map<String, String> prms = LatestRun.prms(base, prm);
    boolean needsPrm =
        plans.values().stream().anyMatch(o -> !"0".equals(o.get("reward.step_weight")));
    if (needsPrm && prms.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "The -process variants need a PRM: pass --prm DIR or run prm-train");
    }
    String prefix = MultiRunOptions.runPrefix(base, "compare");
    CompareTable table;
    try (JobRunner runner = cluster.runner(base, out)) {
      RunConfig baseline = load(Map.of("run.id", prefix + "-start"));
      RunSummary before =
          new Pipeline(baseline, out, Clock.systemUTC())
              .run(List.of(Pipeline.Stage.EVAL), Optional.of(policy), runner);
      table = new CompareTable(figure(before, StageName.EVAL, "accuracy"));
      for (Map.Entry<String, Map<String, String>> plan : plans.entrySet()) {
        for (int i = 0; i < seeds; i++) {
          long seed = base.run().seed() + i;
          Map<String, String> overrides = new LinkedHashMap<>(plan.getValue());
          overrides.put("run.seed", Long.toString(seed));
          overrides.put("run.id", prefix + "-" + plan.getKey() + (seeds > 1 ? "-s" + seed : ""));
          if (budgetSeconds != null) {
            overrides.put(
                "rollout.time_budget", Math.max(1, Math.round(budgetSeconds * 1000)) + "ms");
          }
          table.add(
              plan.getKey(),
              train(plan.getKey(), seed, load(overrides), policy, prms, runner, out));
        }
      }
    }
    out.printf(
        "%nRL variants from %s, %s of %d x %d samples, %d seed%s from run.seed %d, reward.verifier"
            + " %s; held-out problems: %d%n",
        policy,
        budgetSeconds == null
            ? base.rollout().iterations() + " iterations"
            : String.format(
                "%.0f s each (at most %d iterations)", budgetSeconds, base.rollout().iterations()),
        base.rollout().promptsPerBatch(),
        base.rollout().samplesPerPrompt(),
        seeds,
        seeds == 1 ? "" : "s",
        base.run().seed(),
        base.reward().verifier().name().toLowerCase(java.util.Locale.ROOT),
        base.task().testExamples());
    table.print(out);
    if (json != null) {
      table.writeJson(json);
      out.println("wrote " + json);
    }
    out.flush();
    return 0;
  }

  /** Trains one variant with one seed and evaluates it. */
  private CompareTable.Row train(
      String variant,
      long seed,
      RunConfig config,
      String policy,
      Map<String, String> prms,
      JobRunner runner,
      PrintWriter out)
      throws Exception {
    out.printf("compare: %s, seed %d%n", variant, seed);
    out.flush();
    RunSummary summary =
        Pipeline.builder(config, out, Clock.systemUTC())
            .optPrms(prms)
            .build()
            .run(List.of(Pipeline.Stage.RLHF, Pipeline.Stage.EVAL), Optional.of(policy), runner);
    RunSummary.Stage rl = stage(summary, StageName.RL);
    Map<String, Double> f = rl.figures();
    if (budgetSeconds != null && f.get("iterations") >= config.rollout().iterations()) {
      out.printf(
          "compare: %s ran all %d iterations before spending its budget: raise"
              + " -Drollout.iterations for an equal wall time%n",
          variant, config.rollout().iterations());
    }
    return new CompareTable.Row(
        seed,
        figure(summary, StageName.EVAL_RL, "accuracy"),
        f.get("iterations"),
        rl.wallSeconds(),
        f.get("gen_tokens_per_s"),
        f.get("train_tokens_per_s"),
        f.getOrDefault("logprob_gap_max", Double.NaN),
        f.getOrDefault("mc_rollouts_per_iteration", Double.NaN),
        f.getOrDefault("accepted_wrong_steps", Double.NaN));
  }

  /** The configuration overrides of {@code variant}. */
  Map<String, String> overrides(String variant, RunConfig base) {
    Matcher m = VARIANT.matcher(variant);
    if (!m.matches()) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value '"
              + variant
              + "' for --algorithms: must be ALGORITHM[-process|-outcome][-lagN] with ALGORITHM"
              + " one of ppo, grpo, rloo, reinforce_pp, raft, vineppo, omega-credit");
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    if (m.group(1).equals("omega-credit")) {
      overrides.put("algorithm.name", "vineppo");
      overrides.put("algorithm.mc_probes", "first_error");
    } else {
      overrides.put("algorithm.name", m.group(1));
    }
    boolean process = "-process".equals(m.group(2));
    double stepWeight = base.reward().stepWeight() > 0 ? base.reward().stepWeight() : 0.5;
    overrides.put("reward.step_weight", process ? Double.toString(stepWeight) : "0");
    if (m.group(4) != null) {
      overrides.put("rollout.max_staleness", m.group(4));
    }
    return overrides;
  }

  private RunConfig load(Map<String, String> extra) {
    Map<String, String> all = new LinkedHashMap<>(source.overrides);
    all.putAll(extra);
    return RunConfigLoader.load(source.config, all);
  }

  private static RunSummary.Stage stage(RunSummary summary, StageName name) {
    return summary.stages().stream()
        .filter(s -> s.name() == name)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("The run has no " + name + " stage"));
  }

  private static double figure(RunSummary summary, StageName stage, String figure) {
    Double value = stage(summary, stage).figures().get(figure);
    if (value == null) {
      throw new IllegalStateException("Stage " + stage + " has no " + figure);
    }
    return value;
  }
}
