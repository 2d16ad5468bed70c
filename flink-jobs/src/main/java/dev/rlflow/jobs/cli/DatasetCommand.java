package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.dataset.DatasetJob;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rlflow dataset CONFIG}: the dataset job on Flink. */
@Command(
    name = "dataset",
    description = {
      "Generate the task's train/test splits as JSONL (a Flink job).",
      "Every reference solution is checked by the step checker and the answer verifier;",
      "the splits go to <run dir>/data/{train,test}/."
    },
    mixinStandardHelpOptions = true)
final class DatasetCommand implements Callable<Integer> {
  @Mixin ConfigSource source;
  @Mixin EmbeddedClusterOptions cluster;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    RunConfig config = source.load();
    PrintWriter out = spec.commandLine().getOut();
    RunDirectory run = RunDirectory.create(config, Clock.systemUTC());
    out.println("rlflow dataset: run " + run.runId() + " in " + run.path());
    out.flush();
    DatasetJob.Summary summary;
    try (JobRunner runner = cluster.runner(config, out)) {
      summary = DatasetJob.run(config, run, runner);
    }
    int min = config.task().arith().minSteps();
    int max = config.task().arith().maxSteps();
    StringBuilder header = new StringBuilder("  split  problems");
    for (int steps = min; steps <= max; steps++) {
      header.append(String.format("  steps=%d", steps));
    }
    out.println(header);
    for (String split : new String[] {"train", "test"}) {
      StringBuilder row =
          new StringBuilder(String.format("  %-5s  %8d", split, summary.problems(split)));
      for (int steps = min; steps <= max; steps++) {
        row.append(String.format("  %7d", summary.problems(split, steps)));
      }
      out.println(row);
    }
    out.printf(
        "  dead letters: %d (reference solutions the checkers rejected)%n", summary.deadLetters());
    out.println("  wrote " + run.resolve("data") + "/{train,test}/*.jsonl and summary.json");
    out.flush();
    return summary.deadLetters() == 0 ? 0 : 1;
  }
}
