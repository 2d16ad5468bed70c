package dev.rlflow.training.ppo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.AlgorithmConfig.KlPlacement;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import dev.rlflow.model.checkpoint.LoadedCheckpoint;
import dev.rlflow.model.checkpoint.Safetensors;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.training.Autograd;
import dev.rlflow.training.advantage.Raft;
import dev.rlflow.training.advantage.Steps;
import dev.rlflow.training.advantage.TokenAdvantages;
import dev.rlflow.training.kl.KlController;
import dev.rlflow.training.kl.KlEstimators;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.optim.GuardedUpdate;
import dev.rlflow.training.sft.SftBatch;
import dev.rlflow.training.sft.SftExample;
import dev.rlflow.training.sft.SftLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * One RL iteration on a batch of scored responses (ALGORITHMS.md §3–§4): reference log-probs and
 * critic values by teacher forcing, advantages by {@link AdvantageEstimator}, then {@code
 * algorithm.epochs} passes over shuffled minibatches, each an actor update (PPO-clip, token-mean;
 * minus the entropy bonus; plus the KL penalty when KL is placed in the loss) followed, for ppo, by
 * a critic update (clipped value loss against the returns). raft's minibatches hold only the
 * responses it accepts, each minibatch joined by as many drawn from the accepted responses of
 * earlier iterations when {@code algorithm.replay_size > 0}, and its loss is the likelihood of
 * their accepted tokens ({@link PpoLoss#likelihood}).
 *
 * <p>pi_old is the sampler's own log-probs: with {@code max_staleness} 0 they are the current
 * weights' (up to the KV cache's rounding), with a lag they are the older version that generated
 * the batch, which is exactly what PPO's ratio corrects for.
 *
 * <p>The minibatch order comes from a {@link Random} seeded with (seed, iteration), so the RNG
 * state a checkpoint must restore is the iteration number alone. Actor and critic are updated one
 * after the other: only one gradient collector may be open per JVM (DESIGN.md §1). The caller owns
 * the models; the trainer owns both optimizers.
 */
public final class PpoTrainer implements AutoCloseable {

  /**
   * One response as the trainer needs it.
   *
   * @param group the prompt it answers (the group of GRPO and RLOO)
   * @param prompt the prompt's tokens
   * @param response the generated tokens, stop token included
   * @param oldLogProbs the sampler's log-prob of each response token
   * @param steps the token ending each step and its (weighted) PRM reward
   * @param outcome the (weighted) verifier reward, on the last token
   */
  public record Response(
      int group, int[] prompt, int[] response, float[] oldLogProbs, Steps steps, double outcome) {
    public Response {
      if (response.length != oldLogProbs.length || response.length == 0) {
        throw new IllegalArgumentException(
            "Invalid length "
                + oldLogProbs.length
                + " of oldLogProbs: must equal the response length "
                + response.length
                + " (>= 1)");
      }
      steps.requireWithin(response.length);
    }
  }

  /**
   * How the trainer updates.
   *
   * @param algorithm the algorithm section of the run
   * @param maxGradNorm global gradient norm to clip to
   * @param maxConsecutiveSkips non-finite updates in a row that end training
   * @param seed the run seed, with the iteration the minibatch order's seed
   * @param padId the padding token
   */
  public record Config(
      AlgorithmConfig algorithm,
      double maxGradNorm,
      int maxConsecutiveSkips,
      long seed,
      int padId) {
    public Config {
      Objects.requireNonNull(algorithm, "algorithm");
      GuardedUpdate.checkSettings(maxGradNorm, maxConsecutiveSkips);
    }
  }

  /**
   * What one iteration did, averaged over its minibatch updates.
   *
   * @param policyLoss PPO-clip loss
   * @param valueLoss clipped value loss (NaN without a critic)
   * @param entropy token-mean entropy of the policy
   * @param kl mean over the responses trained on (raft: the accepted ones) of the summed per-token
   *     KL(pi_old || pi_ref), by the configured estimator
   * @param klCoef beta used for this batch
   * @param clipFraction share of tokens whose ratio was clipped
   * @param approxKl k3 estimate of KL(pi_old || pi_theta) per token
   * @param gradNorm actor gradient norm before clipping
   * @param updates optimizer updates of the actor
   * @param skipped actor or critic updates skipped as non-finite
   * @param tokens response tokens of the actor's minibatch updates, summed over them (a response
   *     trained in two epochs counts twice, raft's replayed responses count)
   */
  public record IterationResult(
      double policyLoss,
      double valueLoss,
      double entropy,
      double kl,
      double klCoef,
      double clipFraction,
      double approxKl,
      double gradNorm,
      int updates,
      int skipped,
      long tokens) {}

  private final TransformerModel policy;
  private final TransformerModel reference;
  private final TransformerModel critic;
  private final Config config;
  private final AdvantageEstimator estimator;
  private final GuardedUpdate actorUpdate;
  private final GuardedUpdate criticUpdate;
  private static final int SCORING_BATCH = 64;
  // The layout of a save directory (see save).
  private static final String POLICY_DIR = "policy";
  private static final String CRITIC_DIR = "critic";
  private static final String ACTOR_OPTIMIZER = "optimizer.safetensors";
  private static final String CRITIC_OPTIMIZER = "critic-optimizer.safetensors";
  private static final String REPLAY = "replay.bin";

  private final boolean raft; // trains on accepted responses alone, by likelihood
  private final ReplayBuffer replay; // raft's earlier accepted responses; null without replay
  private KlController kl;
  private long iterations;

  /**
   * A trainer of {@code policy} (LM head) against the frozen {@code reference}; {@code critic}
   * (value head) is required for ppo and must be null otherwise.
   */
  public PpoTrainer(
      TransformerModel policy, TransformerModel reference, TransformerModel critic, Config config) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.reference = Objects.requireNonNull(reference, "reference");
    this.config = Objects.requireNonNull(config, "config");
    boolean needsCritic = config.algorithm().name() == AlgorithmConfig.Name.PPO;
    if (needsCritic != (critic != null)) {
      throw new IllegalArgumentException(
          "algorithm.name "
              + config.algorithm().name().name().toLowerCase()
              + (needsCritic ? " needs a critic" : " trains no critic, but one was given"));
    }
    this.critic = critic;
    this.estimator = new AdvantageEstimator(config.algorithm());
    AdamW.Hyperparameters hp = AdamW.Hyperparameters.defaults().withWeightDecay(0.0);
    this.actorUpdate =
        new GuardedUpdate(policy.manager(), hp, config.maxGradNorm(), config.maxConsecutiveSkips());
    this.criticUpdate =
        critic == null
            ? null
            : new GuardedUpdate(
                critic.manager(), hp, config.maxGradNorm(), config.maxConsecutiveSkips());
    this.kl = KlController.of(config.algorithm());
    this.raft = config.algorithm().name() == AlgorithmConfig.Name.RAFT;
    int replaySize = config.algorithm().replaySize();
    this.replay = replaySize > 0 ? new ReplayBuffer(replaySize) : null;
  }

  /** Runs one iteration on the {@code sampled} responses of one batch. */
  public IterationResult iterate(List<Response> sampled) {
    if (sampled.isEmpty()) {
      throw new IllegalArgumentException("An RL iteration needs at least one response");
    }
    AlgorithmConfig algorithm = config.algorithm();
    // raft learns from its accepted responses alone, so only they need the reference's forward
    // pass (a third of an iteration's time when all 4 samples of 64 prompts are scored).
    List<Response> batch = raft ? accepted(sampled) : sampled;
    if (batch.isEmpty()) { // nothing accepted: no update, its loss and statistics undefined (NaN)
      iterations++;
      return new IterationResult(
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          kl.coef(),
          Double.NaN,
          Double.NaN,
          Double.NaN,
          0,
          0,
          0);
    }
    double[][] ref = teacherForced(reference, batch, true);
    double[][] values = critic == null ? null : teacherForced(critic, batch, false);
    List<Experience> experiences = new ArrayList<>(batch.size());
    double klSum = 0;
    for (int i = 0; i < batch.size(); i++) {
      Response r = batch.get(i);
      double[] old = toDouble(r.oldLogProbs());
      double[] refI = ref[i];
      experiences.add(
          new Experience(
              r.group(),
              old,
              refI,
              values == null ? new double[0] : values[i],
              r.steps(),
              r.outcome()));
      for (double k : KlEstimators.estimate(algorithm.klEstimator(), old, refI)) {
        klSum += k;
      }
    }
    double beta = kl.coef();
    List<TokenAdvantages> estimates = estimator.estimate(experiences, beta);

    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      order.add(i);
    }
    List<ReplayBuffer.Entry> fresh = new ArrayList<>();
    if (replay != null) {
      for (int i = 0; i < batch.size(); i++) {
        fresh.add(new ReplayBuffer.Entry(batch.get(i), ref[i], estimates.get(i).advantages()));
      }
    }
    // The rows the minibatches index: the batch, then replayed responses as they are drawn.
    List<Response> rows = new ArrayList<>(batch);
    List<Experience> rowExperiences = new ArrayList<>(experiences);
    List<TokenAdvantages> rowEstimates = new ArrayList<>(estimates);
    Random random = new Random(config.seed() * 1_000_003L + iterations);
    double policyLoss = 0;
    double valueLoss = 0;
    double entropy = 0;
    double clip = 0;
    double approx = 0;
    double norm = 0;
    int updates = 0;
    int skipped = 0;
    long tokens = 0;
    for (int epoch = 0; epoch < algorithm.epochs(); epoch++) {
      Collections.shuffle(order, random);
      for (int from = 0; from < order.size(); from += algorithm.minibatchSize()) {
        List<Integer> mb =
            new ArrayList<>(
                order.subList(from, Math.min(order.size(), from + algorithm.minibatchSize())));
        if (replay != null && !replay.isEmpty()) {
          for (int k = 0, fromBatch = mb.size(); k < fromBatch; k++) {
            mb.add(rows.size());
            appendRow(replay.draw(random), rows, rowExperiences, rowEstimates);
          }
        }
        ActorStep a = actorStep(rows, rowExperiences, rowEstimates, mb, beta);
        for (int i : mb) {
          tokens += rows.get(i).response().length;
        }
        policyLoss += a.loss;
        entropy += a.entropy;
        clip += a.clipFraction;
        approx += a.approxKl;
        norm += a.gradNorm;
        skipped += a.applied ? 0 : 1;
        if (critic != null) {
          double[] v = criticStep(batch, experiences, estimates, mb);
          valueLoss += v[0];
          skipped += v[1] > 0 ? 0 : 1;
        }
        updates++;
      }
    }
    if (replay != null) {
      replay.addAll(fresh);
    }
    double meanKl = klSum / batch.size();
    kl = kl.update(meanKl, batch.size());
    iterations++;
    return new IterationResult(
        policyLoss / updates,
        critic == null ? Double.NaN : valueLoss / updates,
        entropy / updates,
        meanKl,
        beta,
        clip / updates,
        approx / updates,
        norm / updates,
        updates,
        skipped,
        tokens);
  }

  /** Appends a replayed response as a row that minibatches can index. */
  private static void appendRow(
      ReplayBuffer.Entry e,
      List<Response> rows,
      List<Experience> experiences,
      List<TokenAdvantages> estimates) {
    Response r = e.response();
    rows.add(r);
    experiences.add(
        new Experience(
            r.group(),
            toDouble(r.oldLogProbs()),
            e.refLogProbs(),
            new double[0],
            r.steps(),
            r.outcome()));
    // no critic trains on raft's returns
    estimates.add(new TokenAdvantages(e.advantages(), new double[r.response().length]));
  }

  /**
   * The responses raft updates on, in batch order: those with an accepted token ({@link
   * Raft#advantages}), each distinct response of a prompt once (a verified solution sampled four
   * times is still one solution).
   */
  private static List<Response> accepted(List<Response> batch) {
    List<Response> accepted = new ArrayList<>();
    Set<List<Integer>> seen = new HashSet<>(); // (group, response tokens...)
    for (Response r : batch) {
      boolean any =
          Arrays.stream(Raft.advantages(r.outcome(), r.steps(), r.response().length))
              .anyMatch(a -> a > 0);
      if (any
          && seen.add(
              IntStream.concat(IntStream.of(r.group()), Arrays.stream(r.response()))
                  .boxed()
                  .toList())) {
        accepted.add(r);
      }
    }
    return accepted;
  }

  /** Iterations run so far: the seed of the next minibatch order. */
  public long iterations() {
    return iterations;
  }

  /**
   * The counters of a trainer's state, small enough for Flink's operator state; the tensors are in
   * the directory {@link #save} wrote.
   *
   * @param iterations iterations run: the seed of the next minibatch order (the trainer's RNG)
   * @param actorSteps the actor optimizer's step counter (Adam's bias correction)
   * @param criticSteps the critic optimizer's step counter, 0 without a critic
   * @param klCoef the KL controller's beta for the next batch
   */
  public record State(long iterations, long actorSteps, long criticSteps, double klCoef) {}

  /**
   * Writes what an exact resume needs into the new directory {@code dir}: {@code policy/} and, for
   * ppo, {@code critic/} as Hugging Face checkpoints, and the Adam moments as {@code
   * optimizer.safetensors} (and {@code critic-optimizer.safetensors}), all in FP32, and raft's
   * replay buffer as {@code replay.bin}, so that {@link #restore} gets the same bits back. Returns
   * the counters to keep beside the directory.
   */
  public State save(Path dir) throws IOException {
    Files.createDirectories(dir);
    policy.save(dir.resolve(POLICY_DIR), Long.MAX_VALUE);
    Safetensors.write(dir.resolve(ACTOR_OPTIMIZER), actorUpdate.optimizer().state(), Map.of());
    if (critic != null) {
      critic.save(dir.resolve(CRITIC_DIR), Long.MAX_VALUE);
      Safetensors.write(dir.resolve(CRITIC_OPTIMIZER), criticUpdate.optimizer().state(), Map.of());
    }
    if (replay != null) {
      replay.write(dir.resolve(REPLAY));
    }
    return new State(
        iterations,
        actorUpdate.optimizer().steps(),
        criticUpdate == null ? 0 : criticUpdate.optimizer().steps(),
        kl.coef());
  }

  /**
   * Loads what {@link #save} wrote into this trainer's policy, critic and optimizers and resumes
   * its counters, so the next {@link #iterate} does exactly what the saved trainer's would have.
   *
   * @throws IOException when a file is missing or unreadable
   * @throws IllegalArgumentException when the saved tensors do not fit the models
   */
  public void restore(Path dir, State state) throws IOException {
    loadWeights(policy, dir.resolve(POLICY_DIR));
    loadMoments(actorUpdate.optimizer(), dir.resolve(ACTOR_OPTIMIZER), state.actorSteps());
    if (critic != null) {
      loadWeights(critic, dir.resolve(CRITIC_DIR));
      loadMoments(criticUpdate.optimizer(), dir.resolve(CRITIC_OPTIMIZER), state.criticSteps());
    }
    if (replay != null) {
      replay.load(dir.resolve(REPLAY));
    }
    iterations = state.iterations();
    kl = KlController.of(config.algorithm()).withCoef(state.klCoef());
  }

  private static void loadWeights(TransformerModel model, Path dir) throws IOException {
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      LoadedCheckpoint saved = HfCheckpoint.read(dir, staging);
      int copied = model.copyWeightsFrom(saved.tensors());
      if (copied != model.weights().size()) {
        throw new IllegalArgumentException(
            "Checkpoint "
                + dir
                + " holds "
                + copied
                + " of the model's "
                + model.weights().size()
                + " weights");
      }
    }
  }

  private static void loadMoments(AdamW optimizer, Path file, long steps) throws IOException {
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      optimizer.loadState(Safetensors.read(file, staging).tensors(), steps);
    }
  }

  private record ActorStep(
      double loss,
      double entropy,
      double clipFraction,
      double approxKl,
      double gradNorm,
      boolean applied) {}

  private ActorStep actorStep(
      List<Response> batch,
      List<Experience> experiences,
      List<TokenAdvantages> estimates,
      List<Integer> mb,
      double beta) {
    AlgorithmConfig algorithm = config.algorithm();
    Map<String, NDArray> params = policy.weights();
    long step = actorUpdate.optimizer().steps();
    try (NDManager scope = policy.manager().newSubManager()) {
      try {
        SftBatch sb = SftBatch.of(examples(batch, mb), config.padId(), scope);
        Shape shape = sb.mask().getShape();
        NDArray old = layout(batch, mb, i -> experiences.get(i).logProbs(), shape, scope);
        NDArray adv = layout(batch, mb, i -> estimates.get(i).advantages(), shape, scope);
        // raft's loss is the mean over the accepted tokens alone, not diluted by the rest
        NDArray mask =
            raft ? sb.mask().mul(adv.gt(0).toType(sb.mask().getDataType(), false)) : sb.mask();
        double loss;
        double entropy;
        PpoLoss.Policy p;
        try (GradientCollector collector = Autograd.collector()) {
          NDArray logits = policy.forward(sb.input(policy.dtype()), null, true).output();
          NDArray logProbs = SftLoss.tokenLosses(logits, sb.targets(), sb.mask()).neg();
          p = PpoLoss.policy(logProbs, old, adv, mask, algorithm.clipRatio());
          NDArray ent = PpoLoss.entropy(logits, mask);
          NDArray objective = raft ? PpoLoss.likelihood(logProbs, mask) : p.loss();
          NDArray total = objective;
          if (algorithm.entropyCoef() > 0) {
            total = total.sub(ent.mul(scope.full(new Shape(), (float) algorithm.entropyCoef())));
          }
          if (algorithm.effectiveKlPlacement() == KlPlacement.LOSS && beta > 0) {
            NDArray refLp = layout(batch, mb, i -> experiences.get(i).refLogProbs(), shape, scope);
            NDArray klLoss = PpoLoss.kl(algorithm.klEstimator(), logProbs, refLp, mask);
            total = total.add(klLoss.mul(scope.full(new Shape(), (float) beta)));
          }
          collector.backward(total);
          loss = objective.getFloat();
          entropy = ent.getFloat();
        }
        GuardedUpdate.Outcome outcome =
            actorUpdate.apply(params, step, loss, algorithm.actorLr(), scope);
        return new ActorStep(
            loss, entropy, p.clipFraction(), p.approxKl(), outcome.gradNorm(), outcome.applied());
      } finally {
        AdamW.zeroGradients(params.values());
      }
    }
  }

  /** Returns {loss, applied ? 1 : 0}. */
  private double[] criticStep(
      List<Response> batch,
      List<Experience> experiences,
      List<TokenAdvantages> estimates,
      List<Integer> mb) {
    AlgorithmConfig algorithm = config.algorithm();
    Map<String, NDArray> params = critic.weights();
    long step = criticUpdate.optimizer().steps();
    try (NDManager scope = critic.manager().newSubManager()) {
      try {
        SftBatch sb = SftBatch.of(examples(batch, mb), config.padId(), scope);
        Shape shape = sb.mask().getShape();
        NDArray oldV = layout(batch, mb, i -> experiences.get(i).values(), shape, scope);
        NDArray returns = layout(batch, mb, i -> estimates.get(i).returns(), shape, scope);
        double loss;
        try (GradientCollector collector = Autograd.collector()) {
          NDArray v = critic.forward(sb.input(critic.dtype()), null, true).output();
          NDArray l = PpoLoss.value(v, oldV, returns, sb.mask(), algorithm.valueClip());
          collector.backward(l);
          loss = l.getFloat();
        }
        GuardedUpdate.Outcome outcome =
            criticUpdate.apply(params, step, loss, algorithm.criticLr(), scope);
        return new double[] {loss, outcome.applied() ? 1 : 0};
      } finally {
        AdamW.zeroGradients(params.values());
      }
    }
  }

  /**
   * Without gradients, per response token: the log-prob under {@code model}'s LM head ({@code
   * logProbs}) or the critic's value of the state before the token, read at the positions {@link
   * #layout} uses (the convention of {@code rollout.TeacherForcedScorer}).
   */
  private double[][] teacherForced(TransformerModel model, List<Response> batch, boolean logProbs) {
    return Autograd.withoutGradients(
        () -> {
          double[][] out = new double[batch.size()][];
          for (int from = 0; from < batch.size(); from += SCORING_BATCH) {
            List<Integer> rows = new ArrayList<>();
            for (int i = from; i < Math.min(batch.size(), from + SCORING_BATCH); i++) {
              rows.add(i);
            }
            try (NDManager scope = model.manager().newSubManager()) {
              SftBatch sb = SftBatch.of(examples(batch, rows), config.padId(), scope);
              NDArray output = model.forward(sb.input(model.dtype()), null, false).output();
              NDArray perPosition =
                  logProbs
                      ? SftLoss.tokenLosses(output, sb.targets(), sb.mask()).neg()
                      : output.toType(DataType.FLOAT32, false);
              float[] flat = perPosition.toFloatArray();
              int width = (int) sb.mask().getShape().get(1);
              for (int row = 0; row < rows.size(); row++) {
                Response r = batch.get(rows.get(row));
                int first = r.prompt().length - 1;
                double[] values = new double[r.response().length];
                for (int j = 0; j < values.length; j++) {
                  values[j] = flat[row * width + first + j];
                }
                out[rows.get(row)] = values;
              }
            }
          }
          return out;
        });
  }

  private static List<SftExample> examples(List<Response> batch, List<Integer> mb) {
    List<SftExample> examples = new ArrayList<>(mb.size());
    for (int i : mb) {
      examples.add(new SftExample(batch.get(i).prompt(), batch.get(i).response()));
    }
    return examples;
  }

  /**
   * Per-response-token values laid out like an {@link SftBatch}: response token j of a prompt of P
   * tokens sits at input position P - 1 + j (the position that predicts it); 0 elsewhere.
   */
  private static NDArray layout(
      List<Response> batch,
      List<Integer> mb,
      IntFunction<double[]> perResponse,
      Shape shape,
      NDManager scope) {
    int width = (int) shape.get(1);
    float[] out = new float[mb.size() * width];
    for (int row = 0; row < mb.size(); row++) {
      int i = mb.get(row);
      double[] values = perResponse.apply(i);
      int first = batch.get(i).prompt().length - 1;
      for (int j = 0; j < values.length; j++) {
        out[row * width + first + j] = (float) values[j];
      }
    }
    return Autograd.owned(scope.create(out, shape));
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** Frees both optimizers' moments; the models stay open. */
  @Override
  public void close() {
    actorUpdate.close();
    if (criticUpdate != null) {
      criticUpdate.close();
    }
  }
}
