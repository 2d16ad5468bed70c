package dev.rlflow.jobs.pipeline;

import dev.rlflow.core.config.PrmConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.eval.EvalJob;
import dev.rlflow.jobs.eval.EvalResult;
import dev.rlflow.jobs.eval.SelectionJob;
import dev.rlflow.jobs.eval.SelectionTable;
import dev.rlflow.jobs.prm.LabelCollection;
import dev.rlflow.jobs.prm.LabelMethod;
import dev.rlflow.jobs.prm.PrmCollectJob;
import dev.rlflow.jobs.prm.PrmEval;
import dev.rlflow.jobs.prm.PrmTrainJob;
import dev.rlflow.jobs.report.ReportWriter;
import dev.rlflow.jobs.rlhf.RlMetric;
import dev.rlflow.jobs.rlhf.RlhfJob;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.Progress;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.jobs.sft.SftJob;
import dev.rlflow.jobs.traces.TraceSinks;
import dev.rlflow.reward.prm.ScoreStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs stages of a run in order on one cluster (embedded, or the one {@code flink run} targets),
 * into one run directory: every stage adds rows to {@code metrics.csv} and a line to {@code
 * summary.json}, and {@code report.html} is rewritten at the end.
 */
public final class Pipeline {
  /** The stages rlflow can run. */
  public enum Stage {
    /** Supervised warm start on the demonstrations. */
    SFT,
    /** Accuracy of the latest policy on the held-out problems. */
    EVAL,
    /** Process labels from the latest policy by OmegaPRM (and the per-step MC baseline). */
    PRM_COLLECT,
    /** A process reward model trained on the labels (of this run's prm-collect, or given). */
    PRM_TRAIN,
    /** Test-time selection among sampled solutions with the PRMs, and PRM step accuracy. */
    SELECTION,
    /**
     * RL from the latest policy ({@code algorithm.name}), with step rewards from the PRM of {@code
     * prm.objective} when one is known and {@code reward.step_weight} > 0. Its summary stage is
     * {@code rl}.
     */
    RLHF,
    /**
     * RL's control: continued SFT of the policy RL started from, on the same demonstrations, for
     * the wall time the RL stage took.
     */
    CONTROL
  }

  private final RunConfig config;
  private final PrintWriter out;
  private final Clock clock;
  private boolean compareMc;
  private LabelCollection labelCollection;
  private Path labels;
  private final Map<String, String> prms = new LinkedHashMap<>();
  private SelectionTable selection;

  public Pipeline(RunConfig config, PrintWriter out, Clock clock) {
    this.config = config;
    this.out = out;
    this.clock = clock;
  }

  /**
   * Makes the {@code prm_collect} stage also collect labels with the per-step Monte Carlo baseline
   * on the same questions with the same policy, and print the comparison.
   */
  public Pipeline compareWithPerStepMc() {
    this.compareMc = true;
    return this;
  }

  /**
   * Makes the {@code prm_train} stage read the process labels under {@code directory} (Avro files,
   * any filesystem) unless a {@code prm_collect} stage of this pipeline wrote labels before it.
   */
  public Pipeline withLabels(Path directory) {
    this.labels = directory;
    return this;
  }

  /**
   * Gives the {@code selection} stage a PRM checkpoint per objective name ({@code soft}, {@code
   * hard}, {@code pairwise}); a {@code prm_train} stage of this pipeline adds its own.
   */
  public Pipeline withPrms(Map<String, String> byObjective) {
    prms.putAll(byObjective);
    return this;
  }

  /**
   * Runs {@code stages} with {@code runner} (an embedded or a remote cluster); {@code policy} is
   * the checkpoint evaluation starts from when no SFT stage runs before it (else {@code
   * policy.checkpoint}). Returns the run's summary.
   */
  public RunSummary run(List<Stage> stages, Optional<String> policy, JobRunner runner)
      throws Exception {
    long start = System.nanoTime();
    RunDirectory run = RunDirectory.create(config, clock);
    out.printf(
        "rlflow: run %s (config hash %s) in %s; stages %s%n",
        run.runId(), config.configHash(), run.path(), stages);
    out.flush();
    runner.configureJobs(env -> configure(config, env, run));
    MetricsTable metrics = new MetricsTable();
    List<RunSummary.Stage> done = new ArrayList<>();
    Optional<String> checkpoint = policy.or(() -> config.policy().checkpoint());
    // The training stage that wrote `checkpoint` (sft, rl, control), or null for a given one.
    String trainedBy = null;
    String rlInitial = null;
    double rlSeconds = 0;
    Optional<String> weightsSha256 = Optional.empty();
    for (Stage stage : stages) {
      long stageStart = System.nanoTime();
      Map<String, Double> figures = new LinkedHashMap<>();
      String name =
          switch (stage) {
            case RLHF -> "rl";
            case EVAL ->
                trainedBy == null || trainedBy.equals("sft") ? "eval" : "eval_" + trainedBy;
            default -> stage.name().toLowerCase(Locale.ROOT);
          };
      switch (stage) {
        case SFT -> {
          SftJob.Result sft =
              SftJob.run(config, run, runner, metrics, seconds(start), Progress.console(out));
          checkpoint = Optional.of(sft.checkpoint());
          trainedBy = "sft";
          figures.put("final_loss", sft.finalLoss());
          figures.put("updates", (double) sft.updates());
          figures.put("dead_letters", (double) sft.deadLetters());
          out.printf(
              "sft: %d updates, final loss %.4f, checkpoint %s%n",
              sft.updates(), sft.finalLoss(), sft.checkpoint());
        }
        case EVAL -> {
          String evaluated = checkpoint.orElseThrow(() -> noPolicy("evaluate"));
          out.printf("eval: %s on %d held-out problems%n", evaluated, config.task().testExamples());
          out.flush();
          // eval.json for the SFT (or given) policy, eval-rl.json and eval-control.json after.
          String file =
              name.equals("eval") ? EvalResult.FILE_NAME : name.replace('_', '-') + ".json";
          EvalResult eval = EvalJob.run(config, run, runner, evaluated, file);
          print(eval);
          figures.put("accuracy", eval.accuracy());
          figures.put("step_accuracy", eval.stepAccuracy());
          figures.put("reference_nll", eval.referenceNll());
          // The accuracy of the policy the latest training stage wrote, e.g. sft_accuracy.
          for (int i = done.size() - 1; i >= 0; i--) {
            RunSummary.Stage trained = done.get(i);
            if (trained.name().equals(trainedBy)) {
              Map<String, Double> withAccuracy = new LinkedHashMap<>(trained.figures());
              withAccuracy.put("accuracy", eval.accuracy());
              done.set(
                  i, new RunSummary.Stage(trained.name(), trained.wallSeconds(), withAccuracy));
              break;
            }
          }
        }
        case PRM_COLLECT -> {
          String policyDir = checkpoint.orElseThrow(() -> noPolicy("collect labels with"));
          List<PrmCollectJob.Result> results = new ArrayList<>();
          for (LabelMethod method :
              compareMc
                  ? List.of(LabelMethod.OMEGAPRM, LabelMethod.PER_STEP_MC)
                  : List.of(LabelMethod.OMEGAPRM)) {
            out.printf(
                "prm-collect: %s on %d questions with %s%n",
                method.key(), config.omegaPrm().questions(), policyDir);
            out.flush();
            results.add(
                PrmCollectJob.run(config, run, runner, policyDir, method, Progress.console(out)));
          }
          Map<String, LabelCollection.Figures> byMethod = new LinkedHashMap<>();
          for (PrmCollectJob.Result r : results) {
            byMethod.put(
                r.method().key(),
                new LabelCollection.Figures(
                    r.questions(),
                    r.filteredOut(),
                    r.rollouts(),
                    r.labels(),
                    r.positives(),
                    r.labelsPer1kRollouts(),
                    r.labelAccuracy(),
                    r.wallSeconds()));
          }
          LabelCollection collection = new LabelCollection(byMethod);
          collection.write(run.resolve(LabelCollection.FILE_NAME));
          labelCollection = collection;
          collection.print(out);
          PrmCollectJob.Result omega = results.get(0);
          figures.put("rollouts", (double) omega.rollouts());
          figures.put("labels", (double) omega.labels());
          figures.put("labels_per_1k_rollouts", omega.labelsPer1kRollouts());
          figures.put("label_accuracy", omega.labelAccuracy());
          labels = new Path(TraceSinks.directory(config.traces(), run), TraceSinks.PROCESS_LABELS);
        }
        case PRM_TRAIN -> {
          if (labels == null) {
            throw new IllegalArgumentException(
                "No process labels to train on: run prm-collect first or pass --labels URI");
          }
          boolean fromPolicy = config.prm().init() == PrmConfig.Init.POLICY;
          boolean confidence = config.prm().confidence() == PrmConfig.Confidence.POLICY;
          String policyDir =
              fromPolicy || confidence
                  ? checkpoint.orElseThrow(
                      () -> noPolicy(fromPolicy ? "start the PRM from" : "read confidence from"))
                  : null;
          out.printf(
              "prm-train: %s objective on %s, %s%s%n",
              config.prm().objective().name().toLowerCase(Locale.ROOT),
              labels,
              fromPolicy ? "backbone from " + policyDir : "backbone from scratch",
              confidence ? ", stacked with the confidence of " + policyDir : "");
          out.flush();
          PrmEval eval =
              PrmTrainJob.run(
                  config,
                  run,
                  runner,
                  labels,
                  policyDir,
                  metrics,
                  seconds(start),
                  Progress.console(out));
          prms.put(PrmTrainJob.objective(config), eval.checkpoint());
          print(eval);
          figures.put("final_loss", eval.finalLoss());
          figures.put("train_labels", (double) eval.trainLabels());
          figures.put("held_out_label_accuracy", eval.heldOut().labelAccuracy());
          figures.put("held_out_step_accuracy", eval.heldOut().stepAccuracy());
        }
        case RLHF -> {
          String initial = checkpoint.orElseThrow(() -> noPolicy("start RL from"));
          String prm =
              config.reward().stepWeight() > 0 ? prms.get(PrmTrainJob.objective(config)) : null;
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
                  run,
                  runner,
                  initial,
                  prm,
                  metrics,
                  seconds(start),
                  Progress.console(out));
          checkpoint = Optional.of(rl.checkpoint());
          trainedBy = "rl";
          rlInitial = initial;
          rlSeconds = rl.wallSeconds();
          weightsSha256 = Optional.of(rl.weightsSha256());
          RlMetric last = rl.metrics().get(rl.metrics().size() - 1);
          figures.put("iterations", (double) rl.iterations());
          figures.put("final_sample_accuracy", last.accuracy());
          figures.put(
              "gen_tokens_per_s",
              rl.metrics().stream().mapToDouble(RlMetric::genTokensPerSecond).average().orElse(0));
          figures.put(
              "train_tokens_per_s",
              rl.metrics().stream()
                  .mapToDouble(RlMetric::trainTokensPerSecond)
                  .average()
                  .orElse(0));
          figures.put("dead_letters", (double) rl.deadLetters());
          out.printf(
              "rlhf: %d iterations in %.1f s, sample accuracy %.3f -> %.3f, checkpoint %s,"
                  + " weights sha256 %s%n",
              rl.iterations(),
              rl.wallSeconds(),
              rl.metrics().get(0).accuracy(),
              last.accuracy(),
              rl.checkpoint(),
              rl.weightsSha256());
        }
        case CONTROL -> {
          if (rlInitial == null) {
            throw new IllegalArgumentException(
                "The control stage continues the policy RL started from for RL's wall time: run"
                    + " it after an rlhf stage");
          }
          out.printf(
              "control: continued SFT of %s on the same demonstrations for %.1f s (RL's time)%n",
              rlInitial, rlSeconds);
          out.flush();
          SftJob.Result control =
              SftJob.control(
                  config,
                  run,
                  runner,
                  metrics,
                  seconds(start),
                  Progress.console(out),
                  rlInitial,
                  rlSeconds);
          checkpoint = Optional.of(control.checkpoint());
          trainedBy = "control";
          figures.put("updates", (double) control.updates());
          figures.put("final_loss", control.finalLoss());
        }
        case SELECTION -> {
          String evaluated = checkpoint.orElseThrow(() -> noPolicy("evaluate"));
          out.printf(
              "selection: %s on %d held-out problems, %d samples each, PRMs %s%n",
              evaluated, config.prm().selectionProblems(), config.prm().selectionSamples(), prms);
          out.flush();
          SelectionTable table =
              SelectionJob.run(
                  config,
                  run,
                  runner,
                  evaluated,
                  prms,
                  PrmTrainJob.objective(config),
                  Progress.console(out));
          selection = table;
          table.print(out);
          table
              .byN()
              .forEach(
                  (n, row) -> {
                    figures.put("n" + n + "_majority", row.get("majority"));
                    figures.put("n" + n + "_weighted_sc", row.get("weighted_sc"));
                  });
        }
      }
      done.add(new RunSummary.Stage(name, seconds(stageStart), figures));
    }
    RunSummary summary =
        new RunSummary(run.runId(), config.configHash(), seconds(start), done, weightsSha256);
    summary.write(run.resolve(RunSummary.FILE_NAME));
    printRl(done);
    out.printf(
        "done in %.1f s; report: %s%n", summary.wallSeconds(), new ReportWriter(clock).write(run));
    out.flush();
    return summary;
  }

  /** Held-out accuracy before RL, after it and of the control, when the run evaluated them. */
  private void printRl(List<RunSummary.Stage> done) {
    Map<String, Double> accuracy = new LinkedHashMap<>();
    for (RunSummary.Stage s : done) {
      s.accuracy().ifPresent(a -> accuracy.put(s.name(), a));
    }
    if (!accuracy.containsKey("eval_rl")) {
      return;
    }
    StringBuilder line = new StringBuilder("held-out accuracy:");
    if (accuracy.containsKey("eval")) {
      line.append(String.format(Locale.ROOT, " before RL %.1f %%,", 100 * accuracy.get("eval")));
    }
    line.append(String.format(Locale.ROOT, " after RL %.1f %%", 100 * accuracy.get("eval_rl")));
    if (accuracy.containsKey("eval")) {
      line.append(
          String.format(
              Locale.ROOT,
              " (%+.1f points)",
              100 * (accuracy.get("eval_rl") - accuracy.get("eval"))));
    }
    if (accuracy.containsKey("eval_control")) {
      line.append(
          String.format(
              Locale.ROOT,
              "; control (continued SFT, same time) %.1f %%",
              100 * accuracy.get("eval_control")));
    }
    out.println(line);
  }

  /**
   * Flink settings every job of the run gets: checkpoints every {@code checkpointing.interval} into
   * {@code checkpointing.directory} (default {@code <run dir>/checkpoints/flink}), and a bounded
   * restart strategy. Bounded jobs in batch mode recover by re-running failed regions; Flink skips
   * checkpoints for them.
   */
  public static void configure(RunConfig config, StreamExecutionEnvironment env, RunDirectory run) {
    Configuration flink = new Configuration();
    flink.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        config
            .checkpointing()
            .directory()
            .orElseGet(() -> qualified(run.resolve("checkpoints/flink"))));
    flink.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, config.checkpointing().keep());
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
    env.configure(flink);
    env.enableCheckpointing(config.checkpointing().interval().toMillis());
  }

  /**
   * {@code path} with scheme and, if relative, the working directory: Flink's checkpoint storage
   * refuses a directory without a scheme (runs/… in the quickstart).
   */
  private static String qualified(Path path) {
    try {
      return path.makeQualified(path.getFileSystem()).toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot resolve the file system of " + path, e);
    }
  }

  /** The figures of the last {@code prm_collect} stage this pipeline ran, if any. */
  public Optional<LabelCollection> labelCollection() {
    return Optional.ofNullable(labelCollection);
  }

  /** The table of the last {@code selection} stage this pipeline ran, if any. */
  public Optional<SelectionTable> selection() {
    return Optional.ofNullable(selection);
  }

  private void print(PrmEval eval) {
    out.printf(
        Locale.ROOT,
        "prm-train: %d distinct labels (%d train), %d updates, final loss %.4f; checkpoint %s%n",
        eval.distinctLabels(),
        eval.trainLabels(),
        eval.updates(),
        eval.finalLoss(),
        eval.checkpoint());
    ScoreStack stack = eval.stack();
    if (stack.usesConfidence()) {
      out.printf(
          Locale.ROOT,
          "  P(correct) = sigmoid(%.3f * head margin + %.3f * policy confidence + %.3f)%n",
          stack.head(),
          stack.confidence(),
          stack.bias());
    }
    for (var fit :
        List.of(
            Map.entry("held-out", eval.heldOut()),
            Map.entry("train", eval.train()),
            Map.entry("held-out, head alone", eval.heldOutHeadOnly()))) {
      PrmEval.Fit f = fit.getValue();
      out.printf(
          Locale.ROOT,
          "  %-20s %5d labels  label accuracy %5.1f %%  BCE %.3f  step accuracy (ground truth) %5.1f"
              + " %%%n",
          fit.getKey(),
          f.labels(),
          100 * f.labelAccuracy(),
          f.bce(),
          100 * f.stepAccuracy());
    }
    out.flush();
  }

  private static IllegalArgumentException noPolicy(String what) {
    return new IllegalArgumentException(
        "No policy to " + what + ": set policy.checkpoint (or --checkpoint), or run sft first");
  }

  private void print(EvalResult eval) {
    out.printf(
        Locale.ROOT,
        "eval: accuracy %.1f %% (greedy), step accuracy %.1f %%, reference NLL %.3f nats/token,"
            + " %d problems%n",
        100 * eval.accuracy(),
        100 * eval.stepAccuracy(),
        eval.referenceNll(),
        eval.problems());
    for (EvalResult.ChainLength length : eval.bySteps()) {
      out.printf(
          Locale.ROOT,
          "  %d steps: %5.1f %% of %d (step accuracy %.1f %%)%n",
          length.steps(),
          100 * length.accuracy(),
          length.problems(),
          100 * length.stepAccuracy());
    }
    eval.passAtK()
        .forEach(p -> out.printf(Locale.ROOT, "  pass@%d: %.1f %%%n", p.k(), 100 * p.value()));
    out.flush();
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }
}
