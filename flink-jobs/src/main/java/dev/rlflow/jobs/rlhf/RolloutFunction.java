package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.PlacementConfig;
import dev.rlflow.core.config.RolloutConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.rl.PolicyVersion;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.jobs.policy.PolicyCompleter;
import dev.rlflow.jobs.policy.PolicyRuntime;
import dev.rlflow.jobs.runner.ClusterSetupException;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.resharding.store.VersionUnavailableException;
import dev.rlflow.resharding.store.WeightLease;
import dev.rlflow.resharding.store.WeightStore;
import dev.rlflow.rollout.GenerationEngine;
import dev.rlflow.rollout.GenerationRequest;
import dev.rlflow.rollout.Sample;
import dev.rlflow.rollout.SamplingParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rollout (DESIGN.md §3): answers batch b with exactly policy version {@code max(0, b - s)},
 * waiting for the trainer to publish it. Waiting and generating run on one executor thread of this
 * subtask, off the task thread, so checkpoints keep flowing while a batch waits; batches are
 * generated in order, one at a time.
 *
 * <p>Every sample's random stream is fixed by (run seed, version) — the engine's seed — and
 * (problem id, sample index) — the request's: a rerun, or a recovered run, draws the same tokens.
 *
 * <p>For vineppo the same engine then values every response's steps by Monte Carlo rollouts ({@link
 * StepValues}), with the version that sampled them, as VinePPO requires.
 */
final class RolloutFunction extends RichAsyncFunction<PromptBatch, GeneratedBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutFunction.class);

  /** How long closing waits for a generation in progress before leaving its policy open. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);

  private final RunContext run;
  private final String checkpoint;
  private final Duration versionTimeout;
  private transient RunConfig config;
  private transient PolicyRuntime loaded;
  private transient WeightStore store;
  private transient ExecutorService executor;

  RolloutFunction(RunContext run, String checkpoint, Duration versionTimeout) {
    this.run = run;
    this.checkpoint = checkpoint;
    this.versionTimeout = versionTimeout;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    config = run.config();
    loaded = PolicyRuntime.load(config, checkpoint);
    store = WeightStores.of(run, config);
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "rlflow-rollout");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void asyncInvoke(PromptBatch input, ResultFuture<GeneratedBatch> result) {
    executor.execute(
        () -> {
          try {
            Optional<GeneratedBatch> batch;
            try {
              batch = generate(input);
            } catch (Throwable t) {
              result.completeExceptionally(NonRetriable.classify(t));
              return;
            }
            result.complete(batch.map(List::of).orElse(List.of()));
          } catch (RejectedExecutionException cancelled) {
            // The task was cancelled (a failover) while this batch was generated: its mailbox
            // takes no more results, and the restored job generates the batch again.
          }
        });
  }

  /** The batch generated, or empty when the trainer ended the run before its version. */
  private Optional<GeneratedBatch> generate(PromptBatch input) throws Exception {
    RolloutConfig rollout = config.rollout();
    long version = PolicyVersion.answering(input.batch(), rollout.maxStaleness()).number();
    long waitStart = System.nanoTime();
    try (WeightLease lease = await(version)) {
      lease.weights().applyTo(loaded.policy());
    } catch (VersionUnavailableException e) {
      OptionalLong end = store.finishedAt();
      if (end.isPresent() && version > end.getAsLong()) {
        return Optional.empty(); // rollout.time_budget ran out: nothing will train on it
      }
      throw e;
    }
    double waited = (System.nanoTime() - waitStart) / 1e9;
    long start = System.nanoTime();
    SamplingParams params =
        SamplingParams.of(rollout, Set.of(loaded.tokenizer().eosId()), List.of());
    List<GenerationRequest> requests = new ArrayList<>();
    for (Prompt p : input.prompts()) {
      requests.add(
          new GenerationRequest(
              p.problemId() + "@" + input.batch(),
              p.tokens(),
              0,
              rollout.samplesPerPrompt(),
              params));
    }
    GenerationEngine engine = loaded.engine(seed(config.run().seed(), version));
    List<Sample> samples = engine.generate(requests);
    // The engine's samples become the dataflow's responses here, once.
    List<Response> responses = new ArrayList<>(samples.size());
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      Prompt prompt = input.prompts().get(i / rollout.samplesPerPrompt());
      responses.add(new Response(prompt, s.tokens(), s.logProbs(), s.stepEnds()));
    }
    if (config.algorithm().name() == AlgorithmConfig.Name.VINEPPO) {
      PolicyCompleter completer =
          new PolicyCompleter(
              engine, loaded.tokenizer(), params, loaded.policy().config().maxSeqLen());
      responses =
          StepValues.estimate(responses, input.batch(), config, completer, loaded.tokenizer());
    }
    return Optional.of(
        new GeneratedBatch(
            input.batch(),
            input.shard(),
            input.shards(),
            version,
            responses,
            (System.nanoTime() - start) / 1e9,
            waited));
  }

  /**
   * Leases {@code version}; when none came in time and, colocated, none ever reached this JVM, the
   * trainer runs in another TaskManager, which the in-memory store cannot bridge: a set-up error.
   */
  private WeightLease await(long version) throws Exception {
    try {
      return store.await(version, versionTimeout);
    } catch (TimeoutException e) {
      if (config.placement().mode() == PlacementConfig.Mode.COLOCATED
          && store.latestVersion().isEmpty()) {
        throw new ClusterSetupException(
            "No policy version reached this rollout subtask in "
                + versionTimeout
                + ": with placement.mode colocated, weights move in the memory of one JVM, and the"
                + " trainer runs in another TaskManager. On a cluster of several TaskManagers set"
                + " -Dplacement.mode=disaggregated; see "
                + "README.md, section \"On a Flink cluster\".");
      }
      throw e;
    }
  }

  /** The engine seed of a policy version: a mix of the run seed and the version. */
  static long seed(long runSeed, long version) {
    long z = runSeed * 0x9E3779B97F4A7C15L + version;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    return z ^ (z >>> 27);
  }

  @Override
  public void close() throws Exception {
    boolean idle = true;
    if (executor != null) {
      executor.shutdownNow();
      idle = awaitIdle(executor, CLOSE_WAIT);
    }
    if (loaded != null) {
      if (idle) {
        loaded.close(); // never throws
      } else {
        // Freeing the policy under a generation still running reads freed native memory and
        // kills the JVM (seen on a failover): leak it instead; the TaskManager outlives it.
        LOG.warn("Rollout still generating after {}: its policy is left open", CLOSE_WAIT);
      }
    }
    super.close();
  }

  /**
   * Waits up to {@code wait} for {@code executor}'s running generation to end (native code, which
   * an interrupt does not stop); keeps the caller's interrupt status.
   */
  private static boolean awaitIdle(ExecutorService executor, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return executor.awaitTermination(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true; // Flink interrupts a cancelled task repeatedly: keep waiting
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
