package dev.rlflow.jobs.pipeline;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.eval.SelectionTable;
import dev.rlflow.jobs.prm.LabelCollection;
import dev.rlflow.jobs.report.ReportWriter;
import dev.rlflow.jobs.run.MetricsTable;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.run.StageName;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.RunDirectory;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
  /**
   * The stages rlflow can run, as a user names them; each is one {@link PipelineStage}, and its
   * {@link StageName} in {@code summary.json} is the stage's own ({@code rlhf} is {@code rl}, an
   * {@code eval} is named for the policy it measures).
   */
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
    CONTROL;

    PipelineStage implementation() {
      return switch (this) {
        case SFT -> new SftStage();
        case EVAL -> new EvalStage();
        case PRM_COLLECT -> new PrmCollectStage();
        case PRM_TRAIN -> new PrmTrainStage();
        case SELECTION -> new SelectionStage();
        case RLHF -> new RlStage();
        case CONTROL -> new ControlStage();
      };
    }
  }

  private final RunConfig config;
  private final PrintWriter out;
  private final Clock clock;
  private final boolean compareWithPerStepMc;
  private final Optional<Path> labels;
  private final Map<String, String> prms;

  /** A pipeline with no labels or PRMs given; {@code prm_collect} uses OmegaPRM alone. */
  public Pipeline(RunConfig config, PrintWriter out, Clock clock) {
    this(builder(config, out, clock));
  }

  private Pipeline(Builder builder) {
    this.config = builder.config;
    this.out = builder.out;
    this.clock = builder.clock;
    this.compareWithPerStepMc = builder.compareWithPerStepMc;
    this.labels = builder.labels;
    this.prms = Collections.unmodifiableMap(new LinkedHashMap<>(builder.prms));
  }

  /** A builder for a pipeline of {@code config} that prints to {@code out}. */
  public static Builder builder(RunConfig config, PrintWriter out, Clock clock) {
    return new Builder(config, out, clock);
  }

  /** Builds a {@link Pipeline}: the required values first, {@code opt*} for the optional ones. */
  public static final class Builder {
    private final RunConfig config;
    private final PrintWriter out;
    private final Clock clock;
    private boolean compareWithPerStepMc;
    private Optional<Path> labels = Optional.empty();
    private final Map<String, String> prms = new LinkedHashMap<>();

    private Builder(RunConfig config, PrintWriter out, Clock clock) {
      this.config = Objects.requireNonNull(config, "config");
      this.out = Objects.requireNonNull(out, "out");
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Whether the {@code prm_collect} stage also collects labels with the per-step Monte Carlo
     * baseline on the same questions with the same policy, and prints the comparison (default no).
     */
    public Builder optCompareWithPerStepMc(boolean compare) {
      this.compareWithPerStepMc = compare;
      return this;
    }

    /**
     * The process labels under {@code directory} (Avro files, any filesystem) that the {@code
     * prm_train} stage reads unless a {@code prm_collect} stage of the pipeline wrote labels before
     * it.
     */
    public Builder optLabels(Path directory) {
      this.labels = Optional.of(Objects.requireNonNull(directory, "directory"));
      return this;
    }

    /**
     * PRM checkpoints per objective name ({@code soft}, {@code hard}, {@code pairwise}) for the
     * {@code selection} and {@code rlhf} stages; a {@code prm_train} stage of the pipeline adds its
     * own.
     */
    public Builder optPrms(Map<String, String> byObjective) {
      prms.putAll(byObjective);
      return this;
    }

    /**
     * The pipeline.
     *
     * @throws IllegalArgumentException if a PRM lacks its objective or directory
     */
    public Pipeline build() {
      prms.forEach(
          (objective, dir) -> {
            if (objective == null || objective.isBlank() || dir == null || dir.isBlank()) {
              throw new IllegalArgumentException(
                  "Invalid PRM '" + objective + "=" + dir + "': objective and directory required");
            }
          });
      return new Pipeline(this);
    }
  }

  /**
   * What a pipeline run produced.
   *
   * @param summary the run's summary, as written to {@code summary.json}
   * @param labelCollection the figures of the last {@code prm_collect} stage, if one ran
   * @param selection the table of the last {@code selection} stage, if one ran
   */
  public record Result(
      RunSummary summary,
      Optional<LabelCollection> labelCollection,
      Optional<SelectionTable> selection) {
    public Result {
      Objects.requireNonNull(summary, "summary");
      Objects.requireNonNull(labelCollection, "labelCollection");
      Objects.requireNonNull(selection, "selection");
    }
  }

  /**
   * Runs {@code stages} with {@code runner} (an embedded or a remote cluster); {@code policy} is
   * the checkpoint evaluation starts from when no SFT stage runs before it (else {@code
   * policy.checkpoint}). Returns the run's summary.
   */
  public RunSummary run(List<Stage> stages, Optional<String> policy, JobRunner runner)
      throws Exception {
    return execute(stages, policy, runner).summary();
  }

  /**
   * Runs {@code stages} as {@link #run} does, and returns the summary with the label collection and
   * selection table of the run, for a caller that prints or saves them.
   */
  public Result execute(List<Stage> stages, Optional<String> policy, JobRunner runner)
      throws Exception {
    long start = System.nanoTime();
    Optional<String> startPolicy = policy.or(() -> config.policy().checkpoint());
    verifyGiven(startPolicy, prms.values());
    RunDirectory run = RunDirectory.create(config, clock);
    out.printf(
        "rlflow: run %s (config hash %s) in %s; stages %s%n",
        run.runId(), config.configHash(), run.path(), stages);
    out.flush();
    runner.configureJobs(env -> configure(config, env, run));
    StageContext context =
        new StageContext(config, run, runner, new MetricsTable(), out, start, compareWithPerStepMc);
    PipelineState state = PipelineState.initial(startPolicy, labels, prms);
    for (Stage requested : stages) {
      PipelineStage stage = requested.implementation();
      long stageStart = System.nanoTime();
      StageName name = stage.name(state);
      PipelineStage.Outcome outcome = stage.run(state, context);
      state =
          outcome
              .state()
              .finished(new RunSummary.Stage(name, seconds(stageStart), outcome.figures()));
    }
    List<RunSummary.Stage> done = state.summaryStages();
    RunSummary summary =
        new RunSummary(
            run.runId(),
            config.configHash(),
            seconds(start),
            done,
            state.rl().map(PipelineState.RlStart::weightsSha256));
    summary.write(run.resolve(RunSummary.FILE_NAME));
    printRl(done);
    out.printf(
        "done in %.1f s; report: %s%n", summary.wallSeconds(), new ReportWriter(clock).write(run));
    out.flush();
    return new Result(summary, state.labelCollection(), state.selection());
  }

  /**
   * Refuses a corrupt policy or PRM checkpoint the run was given before its first job, by their
   * files' headers, where this process can read them; a directory only the TaskManagers see is
   * checked by the job that loads it, which then fails without restarts.
   */
  private static void verifyGiven(Optional<String> policy, Collection<String> prms)
      throws IOException {
    List<String> given = new ArrayList<>(prms);
    policy.ifPresent(given::add);
    for (String dir : given) {
      java.nio.file.Path local = java.nio.file.Path.of(dir);
      if (Files.isDirectory(local)) {
        HfCheckpoint.verify(local);
      }
    }
  }

  /** Held-out accuracy before RL, after it and of the control, when the run evaluated them. */
  private void printRl(List<RunSummary.Stage> done) {
    Map<StageName, Double> accuracy = new EnumMap<>(StageName.class);
    for (RunSummary.Stage s : done) {
      s.accuracy().ifPresent(a -> accuracy.put(s.name(), a));
    }
    Double before = accuracy.get(StageName.EVAL);
    Double after = accuracy.get(StageName.EVAL_RL);
    Double control = accuracy.get(StageName.EVAL_CONTROL);
    if (after == null) {
      return;
    }
    StringBuilder line = new StringBuilder("held-out accuracy:");
    if (before != null) {
      line.append(String.format(Locale.ROOT, " before RL %.1f %%,", 100 * before));
    }
    line.append(String.format(Locale.ROOT, " after RL %.1f %%", 100 * after));
    if (before != null) {
      line.append(String.format(Locale.ROOT, " (%+.1f points)", 100 * (after - before)));
    }
    if (control != null) {
      line.append(
          String.format(
              Locale.ROOT, "; control (continued SFT, same time) %.1f %%", 100 * control));
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
    // The RL loop is back-pressured by design (a rollout waits for the policy version it answers
    // with): aligned barriers would queue behind whole batches. Unaligned ones overtake them and
    // store the in-flight batches with the checkpoint.
    flink.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
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

  static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }
}
