package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rlflow bench rollout-scaling CONFIG}: the same RL run at rollout parallelism 1 and 2 (or
 * {@code --parallelism}), disaggregated, one after the other in one invocation; generation tokens/s
 * of each, their ratio, and whether the final weights are identical, as they must be.
 */
@Command(
    name = "rollout-scaling",
    description = {
      "Run the RL stage of CONFIG at each --parallelism (placement.rollout_parallelism),",
      "disaggregated, from the same policy, and print generation tokens/s of each (the batch's",
      "tokens over its slowest shard's generation time, averaged after --warm-up iterations,",
      "each parallelism run twice, in order and then in reverse, the two averaged),",
      "the speed-up over the first, and the final weights' SHA-256, which must agree. Run it",
      "as RLFLOW_THREADS=1 ./rlflow bench rollout-scaling ... so that each rollout subtask",
      "computes on one core."
    },
    mixinStandardHelpOptions = true)
final class RolloutScalingCommand implements Callable<Integer> {
  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;

  @Option(
      names = "--parallelism",
      split = ",",
      defaultValue = "1,2",
      description =
          "Rollout parallelisms to run, the first the reference. Default: ${DEFAULT-VALUE}.")
  List<Integer> parallelisms;

  @Mixin MultiRunOptions runs;

  @Option(
      names = "--warm-up",
      defaultValue = "2",
      description = "Iterations left out of the average. Default: ${DEFAULT-VALUE}.")
  int warmUp;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
  java.nio.file.Path json;

  @Spec CommandSpec spec;

  /** What one parallelism measured. */
  record Row(int parallelism, double genTokensPerSecond, String weightsSha256) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    RunConfig base = source.load();
    String threads = System.getProperty("ai.djl.pytorch.num_threads", "");
    if (!"1".equals(threads)) {
      throw new ParameterException(
          spec.commandLine(),
          "bench rollout-scaling measures one PyTorch thread per rollout subtask, but this JVM"
              + " runs "
              + (threads.isEmpty() ? "the default number of" : threads)
              + " threads: run it as RLFLOW_THREADS=1 ./rlflow bench rollout-scaling ...");
    }
    if (parallelisms.isEmpty() || parallelisms.stream().anyMatch(p -> p < 1)) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value " + parallelisms + " for --parallelism: must be integers >= 1");
    }
    int iterations = base.rollout().iterations();
    if (warmUp < 0 || warmUp >= iterations) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value "
              + warmUp
              + " for --warm-up: must be in [0, rollout.iterations "
              + iterations
              + ")");
    }
    String policy = runs.policy(base, spec.commandLine());
    String prefix = MultiRunOptions.runPrefix(base, "scaling");
    List<Map<String, String>> plans = new ArrayList<>();
    for (int p : parallelisms) {
      Map<String, String> overrides = new LinkedHashMap<>(source.overrides);
      overrides.put("placement.mode", "disaggregated");
      overrides.put("placement.rollout_parallelism", Integer.toString(p));
      overrides.put("reward.step_weight", "0");
      overrides.put("run.id", prefix + "-p" + p);
      plans.add(overrides);
      RunConfigLoader.load(source.config, overrides); // all checked before the first run
    }
    // Each parallelism runs twice, in the given order and then in reverse (A B B A), and its
    // figure is the mean of both: the JVM warms up (JIT, caches) over its first runs, which would
    // otherwise favour whichever parallelism runs later (measured: 1.86x with 1 first, 1.35x
    // with 2 first).
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      order.add(i);
    }
    for (int i = plans.size() - 1; i >= 0; i--) {
      order.add(i);
    }
    double[] tokensPerSecond = new double[plans.size()];
    String[] sha = new String[plans.size()];
    boolean identical = true;
    try (JobRunner runner = cluster.runner(base, out)) {
      for (int k = 0; k < order.size(); k++) {
        int i = order.get(k);
        Map<String, String> plan = new LinkedHashMap<>(plans.get(i));
        plan.put("run.id", plan.get("run.id") + (k < plans.size() ? "-a" : "-b"));
        RunConfig config = RunConfigLoader.load(source.config, plan);
        out.printf(
            "bench rollout-scaling: rollout parallelism %d (%s pass)%n",
            config.placement().rolloutParallelism(), k < plans.size() ? "first" : "second");
        out.flush();
        RunSummary summary =
            new Pipeline(config, out, Clock.systemUTC())
                .run(List.of(Pipeline.Stage.RLHF), Optional.of(policy), runner);
        MetricsTable metrics =
            MetricsTable.read(
                new Path(
                    new Path(config.run().outputDir(), summary.runId()), MetricsTable.FILE_NAME));
        double sum = 0;
        int n = 0;
        for (MetricsTable.Row row : metrics.rows()) {
          if (row.stage().equals(StageName.RL.key()) && row.step() > warmUp) {
            sum += row.metrics().get("gen_tokens_per_s");
            n++;
          }
        }
        tokensPerSecond[i] += sum / n / 2;
        String weights = summary.weightsSha256().orElse("");
        identical &= sha[0] == null || weights.equals(sha[0]);
        sha[i] = weights;
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < plans.size(); i++) {
      rows.add(new Row(parallelisms.get(i), tokensPerSecond[i], sha[i]));
    }
    Row reference = rows.get(0);
    out.printf(
        "%nRollout scaling: %s from %s, %d iterations of %d x %d samples, disaggregated, %s"
            + " PyTorch thread per JVM; generation tokens/s averaged over iterations %d-%d%n",
        base.algorithm().name().name().toLowerCase(java.util.Locale.ROOT),
        policy,
        iterations,
        base.rollout().promptsPerBatch(),
        base.rollout().samplesPerPrompt(),
        threads,
        warmUp + 1,
        iterations);
    out.printf("%-12s %14s %9s  %s%n", "parallelism", "gen tok/s", "speed-up", "weights sha256");
    for (Row r : rows) {
      out.printf(
          "%-12d %14.0f %8.2fx  %s%n",
          r.parallelism(),
          r.genTokensPerSecond(),
          r.genTokensPerSecond() / reference.genTokensPerSecond(),
          r.weightsSha256());
    }
    out.println(identical ? "final weights: identical" : "final weights: DIFFER");
    if (json != null) {
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("iterations", iterations);
      figures.put("warm_up", warmUp);
      Map<String, Object> perParallelism = new LinkedHashMap<>();
      for (Row r : rows) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("gen_tokens_per_s", r.genTokensPerSecond());
        entry.put("speedup", r.genTokensPerSecond() / reference.genTokensPerSecond());
        entry.put("weights_sha256", r.weightsSha256());
        perParallelism.put(Integer.toString(r.parallelism()), entry);
      }
      figures.put("rollout_parallelism", perParallelism);
      figures.put("weights_identical", identical);
      BenchCommand.writeJson(json, figures, out);
    }
    out.flush();
    return identical ? 0 : 1;
  }
}
