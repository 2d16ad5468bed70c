package dev.rlflow.training.rl;

import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.advantage.TokenAdvantages;
import dev.rlflow.training.kl.KlController;
import dev.rlflow.training.optim.AdamW;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * One RL iteration per batch of scored responses (ALGORITHMS.md §3–§4), orchestrating the roles:
 * reference log-probs ({@link Reference}) and critic values ({@link CriticUpdate}) by teacher
 * forcing, the per-token KL(pi_old || pi_ref) once, advantages by {@link AdvantageEstimator}, then
 * {@code algorithm.epochs} passes over shuffled minibatches, each an {@link Actor} update followed,
 * for ppo, by a critic update (clipped value loss against the returns); ppo's first {@code
 * algorithm.critic_warmup_iterations} iterations make the critic updates alone. raft trains only on
 * the responses its {@link RaftSelection} accepts, each minibatch joined by as many replayed from
 * earlier iterations when {@code algorithm.replay_size > 0}.
 *
 * <p>pi_old is the sampler's own log-probs: with {@code max_staleness} 0 they are the current
 * weights' (up to the KV cache's rounding), with a lag they are the older version that generated
 * the batch, which is exactly what PPO's ratio corrects for. Each iteration measures how far they
 * are from the trainer's own before it updates ({@link IterationResult#logProbGap()}): the detector
 * for a stale or mismatched weight hand-over.
 *
 * <p>The minibatch order comes from a {@link Random} seeded with (seed, iteration), so the RNG
 * state a checkpoint must restore is the iteration number alone. Actor and critic are updated one
 * after the other: only one gradient collector may be open per JVM (DESIGN.md §1). The caller owns
 * the models; the trainer owns both optimizers.
 */
public final class RlTrainer implements AutoCloseable {

  /**
   * How the trainer updates.
   *
   * @param algorithm the algorithm section of the run (with its gradient clip and skip limit)
   * @param seed the run seed, with the iteration the minibatch order's seed
   * @param padId the padding token
   * @param temperature the rollout's sampling temperature, {@code > 0}: the trainer's, the
   *     reference's log-probs and the entropy are of logits divided by it, as the sampler's are
   */
  public record Config(AlgorithmConfig algorithm, long seed, int padId, double temperature) {
    public Config {
      Objects.requireNonNull(algorithm, "algorithm");
      if (!(temperature > 0) || Double.isInfinite(temperature)) {
        throw new IllegalArgumentException(
            "Invalid value "
                + temperature
                + " for temperature: must be > 0 and finite (RL needs the sampled distribution)");
      }
    }
  }

  private final Config config;
  private final Reference reference;
  private final Actor actor;
  private final CriticUpdate critic; // ppo only
  private final RaftSelection selection; // raft only
  private final AdvantageEstimator estimator;
  private KlController kl;
  private long iterations;

  /**
   * A trainer of {@code policy} (LM head) against the frozen {@code reference}; {@code critic}
   * (value head) is required for ppo and must be null otherwise.
   */
  public RlTrainer(
      TransformerModel policy, TransformerModel reference, TransformerModel critic, Config config) {
    Objects.requireNonNull(policy, "policy");
    this.config = Objects.requireNonNull(config, "config");
    AlgorithmConfig algorithm = config.algorithm();
    boolean needsCritic = algorithm.name() == AlgorithmConfig.Name.PPO;
    if (needsCritic != (critic != null)) {
      throw new IllegalArgumentException(
          "algorithm.name "
              + algorithm.name().name().toLowerCase()
              + (needsCritic ? " needs a critic" : " trains no critic, but one was given"));
    }
    this.reference = new Reference(reference, config.temperature());
    this.estimator = new AdvantageEstimator(algorithm);
    AdamW.Hyperparameters hp = AdamW.Hyperparameters.defaults().withWeightDecay(0.0);
    this.actor = new Actor(policy, algorithm, hp, config.padId(), config.temperature());
    this.critic = critic == null ? null : new CriticUpdate(critic, algorithm, hp, config.padId());
    this.kl = KlController.of(algorithm);
    this.selection =
        algorithm.name() == AlgorithmConfig.Name.RAFT
            ? new RaftSelection(algorithm.replaySize())
            : null;
  }

  /** Runs one iteration on the {@code sampled} responses of one batch. */
  public IterationResult iterate(List<ScoredResponse> sampled) {
    if (sampled.isEmpty()) {
      throw new IllegalArgumentException("An RL iteration needs at least one response");
    }
    AlgorithmConfig algorithm = config.algorithm();
    // raft learns from its accepted responses alone, so only they need the reference's forward
    // pass (a third of an iteration's time when all 4 samples of 64 prompts are scored).
    List<ScoredResponse> batch = selection == null ? sampled : RaftSelection.accepted(sampled);
    if (batch.isEmpty()) {
      iterations++;
      return IterationResult.noUpdate(kl.coef());
    }
    double[][] ref = reference.logProbs(batch);
    // log pi_old is the trainer's own, recomputed before any update (as veRL does), not the
    // sampler's: the update then depends on the sampled tokens alone, not on how the rollout
    // batched them (how many subtasks, which prompts side by side), nor on the sampler's precision.
    // The gap between the two is reported: it shows stale or mismatched weights.
    double[][] oldLogProbs = actor.logProbs(batch);
    double[][] values = critic == null ? null : critic.values(batch);
    List<Experience> experiences = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      experiences.add(
          Experience.of(
              batch.get(i), oldLogProbs[i], ref[i], values == null ? new double[0] : values[i]));
    }
    List<double[]> perTokenKl = estimator.kl(experiences);
    double klSum = 0;
    for (double[] k : perTokenKl) {
      for (double v : k) {
        klSum += v;
      }
    }
    double beta = kl.coef();
    List<TokenAdvantages> estimates = estimator.estimate(experiences, perTokenKl, beta);
    List<Row> rows = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      rows.add(new Row(batch.get(i), experiences.get(i), estimates.get(i)));
    }

    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      order.add(i);
    }
    // The critic's value head starts at zero: its first iterations train it alone, so the actor's
    // first advantages have a baseline (ALGORITHMS.md §3, algorithm.critic_warmup_iterations).
    boolean criticWarmingUp = critic != null && iterations < algorithm.criticWarmupIterations();
    Random random = new Random(config.seed() * 1_000_003L + iterations);
    IterationResult.Totals totals = new IterationResult.Totals();
    for (int epoch = 0; epoch < algorithm.epochs(); epoch++) {
      Collections.shuffle(order, random);
      for (int from = 0; from < order.size(); from += algorithm.minibatchSize()) {
        List<Row> picked = new ArrayList<>();
        for (int i :
            order.subList(from, Math.min(order.size(), from + algorithm.minibatchSize()))) {
          picked.add(rows.get(i));
        }
        if (selection != null) {
          selection.replayInto(picked, random);
        }
        Minibatch mb = new Minibatch(picked);
        if (!criticWarmingUp) {
          totals.addActor(actor.update(mb, beta), mb.tokens());
        }
        if (critic != null) {
          totals.addCritic(critic.update(mb));
        }
      }
    }
    if (selection != null) {
      selection.remember(rows);
    }
    double meanKl = klSum / batch.size();
    kl = kl.update(meanKl, batch.size());
    iterations++;
    return totals.result(
        meanKl, beta, critic != null, IterationResult.LogProbGap.between(batch, oldLogProbs));
  }

  /** Iterations run so far: the seed of the next minibatch order. */
  public long iterations() {
    return iterations;
  }

  /**
   * What an exact resume needs: the live policy, critic and moments (write them out before the next
   * {@link #iterate}), raft's replay buffer and the counters.
   */
  public TrainerCheckpoint save() throws IOException {
    Map<TrainerCheckpoint.Part, TrainerCheckpoint.ModelState> models =
        new EnumMap<>(TrainerCheckpoint.Part.class);
    models.put(
        TrainerCheckpoint.Part.POLICY,
        TrainerCheckpoint.ModelState.of(actor.policy(), actor.optimizer()));
    if (critic != null) {
      models.put(
          TrainerCheckpoint.Part.CRITIC,
          TrainerCheckpoint.ModelState.of(critic.critic(), critic.optimizer()));
    }
    return new TrainerCheckpoint(
        models,
        selection == null ? new byte[0] : selection.replayBytes(),
        new TrainerCheckpoint.Counters(
            iterations,
            actor.optimizer().steps(),
            critic == null ? 0 : critic.optimizer().steps(),
            kl.coef()));
  }

  /**
   * Loads what {@link #save} returned (or a copy of it) into this trainer's policy, critic and
   * optimizers and resumes its counters, so the next {@link #iterate} does exactly what the saved
   * trainer's would have. The arrays are copied: the caller may close them afterwards.
   *
   * @throws IOException when the replay buffer's bytes are truncated or of another format
   * @throws IllegalArgumentException when the saved tensors do not fit the models, or a model this
   *     trainer updates is missing
   */
  public void restore(TrainerCheckpoint checkpoint) throws IOException {
    Map<TrainerCheckpoint.Part, TrainerCheckpoint.ModelState> models = checkpoint.models();
    TrainerCheckpoint.Counters counters = checkpoint.counters();
    models
        .get(TrainerCheckpoint.Part.POLICY)
        .loadInto(actor.policy(), actor.optimizer(), counters.actorSteps());
    if (critic != null) {
      TrainerCheckpoint.ModelState saved = models.get(TrainerCheckpoint.Part.CRITIC);
      if (saved == null) {
        throw new IllegalArgumentException("The checkpoint holds no critic, which ppo trains");
      }
      saved.loadInto(critic.critic(), critic.optimizer(), counters.criticSteps());
    }
    if (selection != null) {
      selection.loadReplay(checkpoint.replay());
    }
    iterations = counters.iterations();
    kl = KlController.of(config.algorithm()).withCoef(counters.klCoef());
  }

  /** Frees both optimizers' moments; the models stay open. */
  @Override
  public void close() {
    actor.close();
    if (critic != null) {
      critic.close();
    }
  }
}
