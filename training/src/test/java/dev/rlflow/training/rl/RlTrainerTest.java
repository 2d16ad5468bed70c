package dev.rlflow.training.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.config.AlgorithmConfig;
import dev.rlflow.core.config.AlgorithmConfig.KlEstimator;
import dev.rlflow.core.config.AlgorithmConfig.KlPlacement;
import dev.rlflow.core.config.AlgorithmConfig.MacroActions;
import dev.rlflow.core.config.AlgorithmConfig.Name;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.GenerationEngine;
import dev.rlflow.rollout.GenerationRequest;
import dev.rlflow.rollout.Sample;
import dev.rlflow.rollout.SamplingParams;
import dev.rlflow.training.Autograd;
import dev.rlflow.training.advantage.Steps;
import dev.rlflow.training.advantage.TokenAdvantages;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.sft.SftBatch;
import dev.rlflow.training.sft.SftExample;
import dev.rlflow.training.sft.SftLoss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A one-token bandit on a tiny model: after prompt {@code [1, 2]} the response {@code [5, 0]} earns
 * 1 and {@code [6, 0]} earns 0. Every algorithm must raise the first one's probability.
 */
class RlTrainerTest {

  private static final ModelConfig CONFIG =
      new ModelConfig(PolicyConfig.Architecture.LLAMA, 8, 16, 1, 2, 1, 32, 16, 10_000, 1e-5, true);
  private static final int[] PROMPT = {1, 2};
  private static final int[] GOOD = {5, 0};
  private static final int[] BAD = {6, 0};

  @BeforeAll
  static void loadEngine() {
    Engine.getInstance();
  }

  @ParameterizedTest
  @EnumSource(Name.class)
  void everyAlgorithmRaisesTheRewardedResponse(Name name) {
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        TransformerModel critic = name == Name.PPO ? model(TransformerModel.Head.VALUE, 7) : null;
        RlTrainer trainer = new RlTrainer(policy, reference, critic, config(name))) {
      double before = logProb(policy, GOOD);
      IterationResult last = null;
      for (int i = 0; i < 15; i++) {
        List<ScoredResponse> batch = batch(policy, Steps.none());
        last = trainer.iterate(name == Name.VINEPPO ? oneValuedStep(batch) : batch);
      }
      assertThat(logProb(policy, GOOD)).isGreaterThan(before + 0.5);
      // 2 epochs x (8 responses / minibatches of 4); raft trains on its accepted responses alone,
      // GOOD once per prompt: 2 responses of 2 tokens, one minibatch
      assertThat(last.updates()).isEqualTo(name == Name.RAFT ? 2 : 4);
      assertThat(last.tokens()).isEqualTo(name == Name.RAFT ? 2 * 4 : 2 * 16);
      assertThat(last.kl()).isNotZero(); // moved away from the reference
      assertThat(Double.isNaN(last.valueLoss())).isEqualTo(name != Name.PPO);
      assertThat(trainer.iterations()).isEqualTo(15);
    }
  }

  @Test
  void raftMakesNoUpdateWhenNothingIsAccepted() {
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        RlTrainer trainer = new RlTrainer(policy, reference, null, config(Name.RAFT))) {
      Map<String, float[]> before = weights(policy);
      List<ScoredResponse> rejected = new ArrayList<>();
      for (ScoredResponse r : batch(policy, Steps.none())) {
        rejected.add(new ScoredResponse(r.response(), false, 0, r.stepRewards()));
      }
      IterationResult result = trainer.iterate(rejected);
      assertThat(result.updates()).isZero();
      assertThat(result.policyLoss()).isNaN();
      Map<String, float[]> after = weights(policy);
      before.forEach((name, w) -> assertThat(after.get(name)).as(name).containsExactly(w));
      assertThat(trainer.iterations()).isEqualTo(1);
    }
  }

  @Test
  void stepRewardsSteerProcessGrpoWhereOutcomesTie() {
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        RlTrainer trainer = new RlTrainer(policy, reference, null, config(Name.GRPO))) {
      double before = logProb(policy, BAD);
      for (int i = 0; i < 15; i++) {
        // Every outcome is right (its z is 0): a step reward on the first token says BAD.
        List<ScoredResponse> batch = new ArrayList<>();
        for (ScoredResponse r : batch(policy, Steps.none())) {
          double step = r.response().tokens()[0] == BAD[0] ? 5 : 0;
          batch.add(
              scored(
                  r.prompt().group(),
                  r.response().tokens(),
                  r.response().logProbs(),
                  new Steps(new int[] {0}, new double[] {step}),
                  1));
        }
        trainer.iterate(batch);
      }
      assertThat(logProb(policy, BAD)).isGreaterThan(before + 0.5);
    }
  }

  @Test
  void twoTrainersOnTheSameBatchesEndWithBitIdenticalWeights() {
    Map<String, float[]> first = trained();
    Map<String, float[]> second = trained();
    assertThat(second.keySet()).isEqualTo(first.keySet());
    first.forEach((name, w) -> assertThat(second.get(name)).as(name).containsExactly(w));
  }

  @Test
  void aTrainerRestoredFromItsSaveContinuesBitForBit() throws Exception {
    Map<String, float[]> straight = trained(4, null);
    Map<String, float[]> resumed;
    TrainerCheckpoint.Counters state;
    try (TransformerModel policy = model(TransformerModel.Head.LM, 1);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        TransformerModel critic = model(TransformerModel.Head.VALUE, 2);
        RlTrainer trainer = new RlTrainer(policy, reference, critic, adaptiveKl())) {
      trained(2, trainer);
      assertThat(trainer.iterations()).isEqualTo(2);
      for (int i = 0; i < 2; i++) {
        trainer.iterate(batch(policy, Steps.none()));
      }
      resumed = weights(policy);
      state = trainer.save().counters();
    }
    assertThat(state.actorSteps()).isEqualTo(4 * 4);
    assertThat(state.criticSteps()).isEqualTo(4 * 4);
    assertThat(state.klCoef()).isNotEqualTo(0.01); // the adaptive controller moved
    straight.forEach((name, w) -> assertThat(resumed.get(name)).as(name).containsExactly(w));
  }

  @Test
  void raftReplaysEarlierAcceptedResponsesAndResumesWithThem() throws Exception {
    Map<String, float[]> straight = raft(8, 0, 4, null, null);
    Map<String, float[]> withoutReplay = raft(0, 0, 4, null, null);
    Map<String, float[]> resumed =
        raft(
            8,
            0,
            2,
            null,
            saved -> {
              assertThat(saved.replay()).isNotEmpty();
              return raft(8, 2, 4, saved, null);
            });

    straight.forEach((name, w) -> assertThat(resumed.get(name)).as(name).containsExactly(w));
    assertThat(straight.keySet())
        .anyMatch(name -> !Arrays.equals(straight.get(name), withoutReplay.get(name)));
  }

  @Test
  void referenceLogProbsAreBitForBitThoseOfTheTrainingForwardPass() {
    int[][] responses = {GOOD, {5, 6, 7, 0}, {6}};
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42)) {
      List<ScoredResponse> batch = new ArrayList<>();
      List<SftExample> examples = new ArrayList<>();
      for (int[] response : responses) {
        batch.add(scored(0, response, new float[response.length], Steps.none(), 1));
        examples.add(new SftExample(PROMPT, response));
      }
      double[][] scored = new Reference(policy, 1.0).logProbs(batch);
      float[] forward =
          Autograd.withoutGradients(
              () -> {
                try (NDManager scope = policy.manager().newSubManager()) {
                  SftBatch sb = SftBatch.of(examples, 0, scope);
                  NDArray logits = policy.forward(sb.input(policy.dtype()), null, false).output();
                  return SftLoss.tokenLosses(logits, sb.targets(), sb.mask()).neg().toFloatArray();
                }
              });
      int width = PROMPT.length + 4 - 1;
      for (int i = 0; i < responses.length; i++) {
        double[] expected = new double[responses[i].length];
        for (int j = 0; j < expected.length; j++) {
          expected[j] = forward[i * width + PROMPT.length - 1 + j];
        }
        assertThat(scored[i]).as("response %d", i).containsExactly(expected);
      }
    }
  }

  @Test
  void atTemperatureSevenTenthsTheFirstRatioIsOneAndEntropyIsOfTheSampledDistribution() {
    // Responses sampled at T = 0.7 carry log softmax(logits / 0.7), computed here in double from
    // the raw logits; the trainer must compute the same distribution's log-probs (ALGORITHMS.md
    // §3), so its first update sees ratio 1 on every token.
    double temperature = 0.7;
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42)) {
      int[][] responses = {GOOD, BAD, {5, 6, 7, 0}};
      List<Row> rows = new ArrayList<>();
      double entropySum = 0;
      int tokens = 0;
      for (int[] response : responses) {
        double[][] oracle = tempered(policy, response, temperature); // log-probs, entropies
        float[] sampled = new float[response.length];
        for (int j = 0; j < response.length; j++) {
          sampled[j] = (float) oracle[0][j];
          entropySum += oracle[1][j];
          tokens++;
        }
        ScoredResponse r = scored(0, response, sampled, Steps.none(), 1);
        double[] ref = new Reference(policy, temperature).logProbs(List.of(r))[0];
        assertThat(ref).as("reference").containsExactly(oracle[0], within(1e-5));
        double[] advantages = new double[response.length];
        Arrays.fill(advantages, response == BAD ? -1 : 1);
        rows.add(
            new Row(
                r,
                Experience.of(r, ref, new double[0]),
                new TokenAdvantages(advantages, new double[response.length])));
      }
      AlgorithmConfig algorithm = config(Name.GRPO).algorithm();
      try (Actor actor =
          new Actor(
              policy,
              algorithm,
              AdamW.Hyperparameters.defaults().withWeightDecay(0.0),
              0,
              temperature)) {
        Actor.Step first = actor.update(new Minibatch(rows), 0);
        // |log pi_theta - log pi_old| <= 1e-5 on every token bounds k3 by (1e-5)^2 / 2
        assertThat(first.approxKl()).isLessThanOrEqualTo(5e-11);
        assertThat(first.clipFraction()).isZero();
        assertThat(first.entropy()).isCloseTo(entropySum / tokens, within(1e-5));
      }
    }
  }

  @Test
  void theActorsLearningRateWarmsUpLinearly() {
    // Adam's first step moves every weight whose gradient is far above eps by the learning rate
    // itself (m / sqrt(v) = +-1 after bias correction): with a warm-up of 4 updates and actor_lr
    // 1e-2 that is 1e-2 * 1/4.
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42)) {
      Map<String, float[]> before = weights(policy);
      List<Row> rows = new ArrayList<>();
      for (ScoredResponse r : batch(policy, Steps.none())) {
        double[] advantages = new double[r.response().length()];
        Arrays.fill(advantages, r.correct() ? 1 : -1);
        rows.add(
            new Row(
                r,
                Experience.of(r, new double[advantages.length], new double[0]),
                new TokenAdvantages(advantages, new double[advantages.length])));
      }
      AlgorithmConfig algorithm = config(Name.GRPO, false, 0, 0, 4).algorithm();
      try (Actor actor =
          new Actor(
              policy, algorithm, AdamW.Hyperparameters.defaults().withWeightDecay(0.0), 0, 1.0)) {
        actor.update(new Minibatch(rows), 0);
      }
      double largest = 0;
      for (Map.Entry<String, float[]> e : weights(policy).entrySet()) {
        float[] w0 = before.get(e.getKey());
        for (int i = 0; i < w0.length; i++) {
          largest = Math.max(largest, Math.abs(e.getValue()[i] - w0[i]));
        }
      }
      assertThat(largest).isCloseTo(1e-2 / 4, within(1e-6));
    }
  }

  @Test
  void logProbGapIsZeroAtFp32WithTheTrainersWeightsAndShowsAStaleHandOver() {
    RlTrainer.Config atSevenTenths =
        new RlTrainer.Config(config(Name.GRPO).algorithm(), 42, 0, 0.7);
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel stale = model(TransformerModel.Head.LM, 1);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        RlTrainer trainer = new RlTrainer(policy, reference, null, atSevenTenths)) {
      // The weights handed over exactly: the sampler's log-probs are the trainer's forward pass.
      IterationResult exact = trainer.iterate(sampledBy(policy, 0.7));
      assertThat(exact.logProbGap()).isEqualTo(new IterationResult.LogProbGap(0, 0));

      IterationResult lagging = trainer.iterate(sampledBy(stale, 0.7));
      assertThat(lagging.logProbGap().max()).isGreaterThan(0.01);
      assertThat(lagging.logProbGap().mean()).isPositive().isLessThan(lagging.logProbGap().max());
    }
  }

  @Test
  void responsesSampledAtSevenTenthsStartTheTrainerAtRatioOne() {
    // The rollout's engine samples at T = 0.7 with a KV cache; the trainer's forward pass at the
    // same temperature differs from its log-probs by float rounding alone (ALGORITHMS.md §3).
    SamplingParams params = new SamplingParams(0.7, 0, 1, 6, Set.of(0), List.of());
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        RlTrainer trainer =
            new RlTrainer(
                policy,
                reference,
                null,
                new RlTrainer.Config(config(Name.GRPO).algorithm(), 42, 0, 0.7))) {
      List<Sample> samples =
          new GenerationEngine(policy, 3, Set.of(), String::valueOf)
              .generate(
                  List.of(
                      new GenerationRequest("p0", PROMPT, 4, params),
                      new GenerationRequest("p1", PROMPT, 4, params)));
      List<ScoredResponse> batch = new ArrayList<>();
      for (Sample s : samples) {
        int group = s.requestId().equals("p0") ? 0 : 1;
        batch.add(scored(group, s.tokens(), s.logProbs(), Steps.none(), s.sampleIndex() % 2));
      }
      IterationResult first = trainer.iterate(batch);
      assertThat(first.logProbGap().max()).isLessThanOrEqualTo(1e-5);
    }
  }

  /** {@link #batch}'s responses with the log-probs {@code sampler} gives them at temperature. */
  private static List<ScoredResponse> sampledBy(TransformerModel sampler, double temperature) {
    List<ScoredResponse> batch = batch(sampler, Steps.none());
    double[][] logProbs = TokenScores.logProbs(sampler, batch, temperature);
    List<ScoredResponse> out = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      ScoredResponse r = batch.get(i);
      float[] lp = new float[logProbs[i].length];
      for (int t = 0; t < lp.length; t++) {
        lp[t] = (float) logProbs[i][t];
      }
      out.add(scored(r.prompt().group(), r.response().tokens(), lp, Steps.none(), r.outcome()));
    }
    return out;
  }

  @Test
  void ppoWarmsTheZeroInitialisedCriticUpBeforeTheActorMoves() {
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        TransformerModel critic = model(TransformerModel.Head.VALUE, 7);
        RlTrainer trainer =
            new RlTrainer(policy, reference, critic, config(Name.PPO, false, 0, 1, 0))) {
      Map<String, float[]> policyBefore = weights(policy);
      Map<String, float[]> criticBefore = weights(critic);
      IterationResult warmUp = trainer.iterate(batch(policy, Steps.none()));
      Map<String, float[]> policyWarm = weights(policy);
      policyBefore.forEach(
          (name, w) -> assertThat(policyWarm.get(name)).as(name).containsExactly(w));
      assertThat(criticBefore.keySet())
          .anyMatch(name -> !Arrays.equals(criticBefore.get(name), weights(critic).get(name)));
      assertThat(warmUp.updates()).isZero();
      assertThat(warmUp.valueLoss()).isPositive();

      IterationResult next = trainer.iterate(batch(policy, Steps.none()));
      assertThat(next.updates()).isEqualTo(4);
      assertThat(policyBefore.keySet())
          .anyMatch(name -> !Arrays.equals(policyBefore.get(name), weights(policy).get(name)));
    }
  }

  @Test
  void criticPresenceMustMatchTheAlgorithm() {
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel reference = model(TransformerModel.Head.LM, 42)) {
      assertThatThrownBy(() -> new RlTrainer(policy, reference, null, config(Name.PPO)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("algorithm.name ppo needs a critic");
    }
  }

  private static Map<String, float[]> trained() {
    return trained(3, null);
  }

  /**
   * The policy after {@code iterations} ppo iterations with an adaptive KL coefficient; restores
   * the trainer's save into {@code restored} when given.
   */
  private static Map<String, float[]> trained(int iterations, RlTrainer restored) {
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        TransformerModel critic = model(TransformerModel.Head.VALUE, 7);
        RlTrainer trainer = new RlTrainer(policy, reference, critic, adaptiveKl())) {
      for (int i = 0; i < iterations; i++) {
        trainer.iterate(batch(policy, Steps.none()));
      }
      if (restored != null) {
        restored.restore(trainer.save());
      }
      return weights(policy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What a test does with a trainer's save while the trainer is still open. */
  private interface Continuation {
    Map<String, float[]> apply(TrainerCheckpoint saved) throws IOException;
  }

  /**
   * The policy after raft iterations {@code from} to {@code to} (exclusive) with a replay buffer of
   * {@code replaySize}, first restored from {@code restore} when given; with {@code then}, what
   * {@code then} returns given the trainer's save instead.
   */
  private static Map<String, float[]> raft(
      int replaySize, int from, int to, TrainerCheckpoint restore, Continuation then)
      throws IOException {
    try (TransformerModel policy = model(TransformerModel.Head.LM, 42);
        TransformerModel reference = model(TransformerModel.Head.LM, 42);
        RlTrainer trainer =
            new RlTrainer(policy, reference, null, config(Name.RAFT, false, replaySize, 0, 0))) {
      if (restore != null) {
        trainer.restore(restore);
      }
      for (int i = from; i < to; i++) {
        trainer.iterate(raftBatch(policy, i));
      }
      return then == null ? weights(policy) : then.apply(trainer.save());
    }
  }

  /**
   * Two groups of four whose accepted response changes with the iteration (so that what is replayed
   * matters): per group, the accepted response twice (one after deduplication) and a rejected one
   * twice.
   */
  private static List<ScoredResponse> raftBatch(TransformerModel policy, int iteration) {
    int[] accepted = {3 + iteration % 3, 0};
    int[] rejected = {7, 0};
    List<ScoredResponse> batch = new ArrayList<>();
    for (int group = 0; group < 2; group++) {
      for (int k = 0; k < 4; k++) {
        int[] response = k < 2 ? accepted : rejected;
        batch.add(
            scored(group, response, tokenLogProbs(policy, response), Steps.none(), k < 2 ? 1 : 0));
      }
    }
    return batch;
  }

  private static Map<String, float[]> weights(TransformerModel policy) {
    Map<String, float[]> weights = new TreeMap<>();
    policy.weights().forEach((name, w) -> weights.put(name, w.toFloatArray()));
    return weights;
  }

  /** Two groups of four: two GOOD and two BAD responses each, old log-probs from the policy. */
  private static List<ScoredResponse> batch(TransformerModel policy, Steps steps) {
    float[] good = tokenLogProbs(policy, GOOD);
    float[] bad = tokenLogProbs(policy, BAD);
    List<ScoredResponse> batch = new ArrayList<>();
    for (int group = 0; group < 2; group++) {
      for (int k = 0; k < 4; k++) {
        boolean isGood = k % 2 == 0;
        batch.add(scored(group, isGood ? GOOD : BAD, isGood ? good : bad, steps, isGood ? 1 : 0));
      }
    }
    return batch;
  }

  /**
   * {@code batch} as vineppo's rollout would value responses of one step: the step ends at the last
   * token and its value is the outcome (NaN), so A = outcome - the group's mean outcome.
   */
  private static List<ScoredResponse> oneValuedStep(List<ScoredResponse> batch) {
    List<ScoredResponse> valued = new ArrayList<>();
    for (ScoredResponse r : batch) {
      Response one =
          r.response()
              .withStepValues(new int[] {r.response().length() - 1}, new double[] {Double.NaN}, 0);
      valued.add(ScoredResponse.outcomeOnly(one, r.correct(), r.outcome()));
    }
    return valued;
  }

  /**
   * A response to {@code PROMPT} in {@code group}, its steps' ends and rewards from {@code steps}.
   */
  private static ScoredResponse scored(
      int group, int[] response, float[] logProbs, Steps steps, double outcome) {
    Prompt prompt = new Prompt(group, "p" + group, "q", "a", PROMPT);
    return new ScoredResponse(
        new Response(prompt, response, logProbs, steps.ends()),
        outcome > 0,
        outcome,
        steps.rewards());
  }

  /**
   * For each token of {@code response}: [0] log softmax(logits / temperature)[token] and [1] the
   * entropy of softmax(logits / temperature), in double from the raw float logits.
   */
  private static double[][] tempered(TransformerModel policy, int[] response, double temperature) {
    float[] logits = // (L, V)
        Autograd.withoutGradients(
            () -> {
              try (NDManager scope = policy.manager().newSubManager()) {
                SftBatch sb = SftBatch.of(List.of(new SftExample(PROMPT, response)), 0, scope);
                return policy
                    .forward(sb.input(policy.dtype()), null, false)
                    .output()
                    .toFloatArray();
              }
            });
    int vocab = CONFIG.vocabSize();
    double[][] out = new double[2][response.length];
    for (int j = 0; j < response.length; j++) {
      int row = (PROMPT.length - 1 + j) * vocab;
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < vocab; v++) {
        max = Math.max(max, logits[row + v] / temperature);
      }
      double sum = 0;
      for (int v = 0; v < vocab; v++) {
        sum += Math.exp(logits[row + v] / temperature - max);
      }
      double logSum = max + Math.log(sum);
      out[0][j] = logits[row + response[j]] / temperature - logSum;
      for (int v = 0; v < vocab; v++) {
        double logP = logits[row + v] / temperature - logSum;
        out[1][j] -= Math.exp(logP) * logP;
      }
    }
    return out;
  }

  /** log pi of the response's first token: the choice the rewards are about. */
  private static double logProb(TransformerModel policy, int[] response) {
    return tokenLogProbs(policy, response)[0];
  }

  private static float[] tokenLogProbs(TransformerModel policy, int[] response) {
    return Autograd.withoutGradients(
        () -> {
          try (NDManager scope = policy.manager().newSubManager()) {
            SftBatch sb = SftBatch.of(List.of(new SftExample(PROMPT, response)), 0, scope);
            NDArray logits = policy.forward(sb.input(policy.dtype()), null, false).output();
            float[] all = SftLoss.tokenLosses(logits, sb.targets(), sb.mask()).neg().toFloatArray();
            float[] out = new float[response.length];
            System.arraycopy(all, PROMPT.length - 1, out, 0, response.length);
            return out;
          }
        });
  }

  private static TransformerModel model(TransformerModel.Head head, long seed) {
    return TransformerModel.create(CONFIG, head, DataType.FLOAT32, Device.cpu(), seed);
  }

  private static RlTrainer.Config config(Name name) {
    return config(name, false, 0, 0, 0);
  }

  private static RlTrainer.Config adaptiveKl() {
    return config(Name.PPO, true, 0, 0, 0);
  }

  private static RlTrainer.Config config(
      Name name, boolean adaptiveKl, int replaySize, int criticWarmup, int lrWarmup) {
    AlgorithmConfig algorithm =
        new AlgorithmConfig(
            name,
            0.2,
            0.2,
            0.01,
            KlEstimator.K3,
            KlPlacement.AUTO,
            adaptiveKl,
            0.001,
            10_000,
            1.0,
            0.95,
            2,
            4,
            1e-2,
            1e-2,
            criticWarmup,
            lrWarmup,
            0.0,
            true,
            MacroActions.NONE,
            5,
            replaySize,
            1.0,
            3,
            4,
            AlgorithmConfig.McProbes.EVERY_STEP);
    return new RlTrainer.Config(algorithm, 42, 0, 1.0);
  }
}
