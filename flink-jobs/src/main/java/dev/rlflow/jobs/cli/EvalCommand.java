package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.eval.SelectionTable;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.runner.JobRunner;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rlflow eval CONFIG [--checkpoint DIR] [--selection]}: a policy on held-out problems. */
@Command(
    name = "eval",
    description = {
      "Evaluate a policy checkpoint on the held-out problems (a Flink job): greedy and sampled",
      "accuracy, pass@k, per chain length, and step accuracy from the ground-truth checker.",
      "--selection instead samples N solutions per problem and compares majority vote,",
      "best-of-N by the PRM (min/product/last), PRM-weighted self-consistency and pass@N at",
      "N = 8 and prm.selection_samples, plus each PRM's step accuracy against the step checker."
    },
    mixinStandardHelpOptions = true)
final class EvalCommand implements Callable<Integer> {
  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description =
          "The policy (Hugging Face layout). Default: policy.checkpoint, else"
              + " <run.output_dir>/latest/checkpoints/sft.")
  String checkpoint;

  @Option(
      names = "--selection",
      description = "Test-time selection with the process reward models (see above).")
  boolean selection;

  @Option(
      names = "--prm",
      paramLabel = "OBJECTIVE=DIR",
      description =
          "A PRM checkpoint per objective (soft, hard, pairwise). Default: prm-<objective> beside"
              + " the policy checkpoint, else in <run.output_dir>/latest/checkpoints.")
  Map<String, String> prms = new LinkedHashMap<>();

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description =
          "With --selection, also write {\"n8\": {...}, \"n16\": {...}, \"prm_step_accuracy\":"
              + " {...}} to FILE.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!selection && (!prms.isEmpty() || json != null)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--prm and --json apply to --selection only");
    }
    RunConfig config = source.load();
    PrintWriter out = spec.commandLine().getOut();
    Optional<String> policy = LatestRun.policy(config, checkpoint);
    Pipeline.Builder pipeline = Pipeline.builder(config, out, Clock.systemUTC());
    if (selection) {
      Map<String, String> found = new LinkedHashMap<>();
      for (String objective : SelectionTable.OBJECTIVES) {
        Optional<String> dir =
            Optional.ofNullable(prms.get(objective))
                .or(
                    () ->
                        policy.flatMap(
                            p ->
                                LatestRun.existing(
                                    Path.of(p)
                                        .toAbsolutePath()
                                        .resolveSibling("prm-" + objective))))
                .or(() -> LatestRun.path(config, "checkpoints/prm-" + objective));
        dir.ifPresent(d -> found.put(objective, d));
      }
      pipeline.optPrms(found);
    }
    Pipeline.Result result;
    try (JobRunner runner = cluster.runner(config, out)) {
      result =
          pipeline
              .build()
              .execute(
                  List.of(selection ? Pipeline.Stage.SELECTION : Pipeline.Stage.EVAL),
                  policy,
                  runner);
    }
    if (json != null) {
      Files.write(json, result.selection().orElseThrow().toJson());
      out.println("wrote " + json);
    }
    return 0;
  }
}
