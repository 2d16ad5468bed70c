package dev.rlflow.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
      "Train RL variants from the same policy for rollout.iterations iterations each and",
      "print held-out accuracy, wall time and tokens/s side by side (after the starting",
      "policy's own accuracy). A variant is ALGORITHM[-process|-outcome][-lagN]: ppo, grpo,",
      "rloo, reinforce_pp, raft, vineppo (step credit from Monte Carlo values of every step",
      "prefix) or omega-credit (vineppo valuing a rejected response's prefixes by OmegaPRM's",
      "binary search for its first wrong step, algorithm.mc_probes first_error); -process adds",
      "the PRM's step rewards (reward.step_weight, or 0.5 when it is 0), otherwise rewards are",
      "outcome only; -lagN sets rollout.max_staleness to N; --set gives one variant settings of",
      "its own. Each variant is a run of its own, <run.id or compare-<time>>-<variant>."
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

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description =
          "The policy every variant starts from. Default: policy.checkpoint, else"
              + " <run.output_dir>/latest/checkpoints/sft.")
  String checkpoint;

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
          "Also write {\"<variant>\": {\"accuracy\", \"wall_seconds\", \"gen_tokens_per_s\","
              + " \"train_tokens_per_s\"}, ...} to FILE.")
  Path json;

  @Spec CommandSpec spec;

  /** What one variant measured. */
  record Outcome(
      double accuracy,
      double wallSeconds,
      double genTokensPerSecond,
      double trainTokensPerSecond) {}

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
    String policy =
        LatestRun.policy(base, checkpoint)
            .orElseThrow(
                () ->
                    new ParameterException(
                        spec.commandLine(),
                        "No policy to start from: pass --checkpoint DIR or run sft first"));
    Map<String, String> prms = LatestRun.prms(base, prm);
    boolean needsPrm =
        plans.values().stream().anyMatch(o -> !"0".equals(o.get("reward.step_weight")));
    if (needsPrm && prms.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "The -process variants need a PRM: pass --prm DIR or run prm-train");
    }
    String prefix =
        base.run()
            .id()
            .orElseGet(
                () ->
                    "compare-"
                        + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                            .withZone(ZoneOffset.UTC)
                            .format(Clock.systemUTC().instant()));

    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    double start;
    try (JobRunner runner = cluster.runner(base, out)) {
      RunConfig baseline = load(Map.of("run.id", prefix + "-start"));
      RunSummary before =
          new Pipeline(baseline, out, Clock.systemUTC())
              .run(List.of(Pipeline.Stage.EVAL), Optional.of(policy), runner);
      start = figure(before, StageName.EVAL, "accuracy");
      for (Map.Entry<String, Map<String, String>> plan : plans.entrySet()) {
        Map<String, String> overrides = new LinkedHashMap<>(plan.getValue());
        overrides.put("run.id", prefix + "-" + plan.getKey());
        RunConfig config = load(overrides);
        out.printf("compare: %s (%s)%n", plan.getKey(), plan.getValue());
        RunSummary summary =
            Pipeline.builder(config, out, Clock.systemUTC())
                .optPrms(prms)
                .build()
                .run(
                    List.of(Pipeline.Stage.RLHF, Pipeline.Stage.EVAL), Optional.of(policy), runner);
        RunSummary.Stage rl = stage(summary, StageName.RL);
        outcomes.put(
            plan.getKey(),
            new Outcome(
                figure(summary, StageName.EVAL_RL, "accuracy"),
                rl.wallSeconds(),
                rl.figures().get("gen_tokens_per_s"),
                rl.figures().get("train_tokens_per_s")));
      }
    }
    out.printf(
        "%nRL variants from %s, %d iterations of %d x %d samples; held-out problems: %d%n",
        policy,
        base.rollout().iterations(),
        base.rollout().promptsPerBatch(),
        base.rollout().samplesPerPrompt(),
        base.task().testExamples());
    out.printf(
        "%-22s %9s %9s %10s %14s %16s%n",
        "variant", "accuracy", "vs start", "wall s", "gen tok/s", "train tok/s");
    out.printf("%-22s %8.1f%% %9s %10s %14s %16s%n", "start (no RL)", 100 * start, "", "", "", "");
    outcomes.forEach(
        (name, o) ->
            out.printf(
                "%-22s %8.1f%% %+8.1f  %10.1f %14.0f %16.0f%n",
                name,
                100 * o.accuracy(),
                100 * (o.accuracy() - start),
                o.wallSeconds(),
                o.genTokensPerSecond(),
                o.trainTokensPerSecond()));
    if (json != null) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode root = mapper.createObjectNode();
      outcomes.forEach(
          (name, o) -> {
            ObjectNode node = root.putObject(name);
            node.put("accuracy", o.accuracy());
            node.put("wall_seconds", o.wallSeconds());
            node.put("gen_tokens_per_s", o.genTokensPerSecond());
            node.put("train_tokens_per_s", o.trainTokensPerSecond());
          });
      Files.write(json, mapper.writeValueAsBytes(root));
      out.println("wrote " + json);
    }
    out.flush();
    return 0;
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
