package dev.rlflow.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GenerationEngineTest {
  private static final long SEED = 42;
  private static final SamplingParams SAMPLING =
      new SamplingParams(1.0, 0, 1.0, 12, Set.of(), List.of());

  private static TransformerModel policy;

  @BeforeAll
  static void createPolicy() {
    policy = TinyPolicies.random(TransformerModel.Head.LM, 7);
  }

  @AfterAll
  static void closePolicy() {
    policy.close();
  }

  private static GenerationEngine engine(GenerationEngine.Options options) {
    return new GenerationEngine(policy, SEED, Set.of(3), TinyPolicies::text, options);
  }

  private static GenerationEngine engine() {
    return engine(GenerationEngine.Options.DEFAULT);
  }

  /** Requests with prefixes of different lengths, so padding is exercised. */
  private static List<GenerationRequest> mixed(SamplingParams params) {
    return List.of(
        new GenerationRequest("a", new int[] {1, 5, 9}, 3, params),
        new GenerationRequest("b", new int[] {2, 4, 6, 8, 10, 12, 14}, 2, params),
        new GenerationRequest("c", new int[] {7}, 2, params));
  }

  @Test
  void cachedGenerationEqualsUncachedAndItsLogProbsEqualTeacherForcing() {
    List<GenerationRequest> requests = mixed(SAMPLING);
    List<Sample> cached = engine().generate(requests);
    List<Sample> uncached =
        engine(GenerationEngine.Options.DEFAULT.withKvCache(false)).generate(requests);
    assertSameSamples(cached, uncached);

    Map<String, int[]> prefixes =
        requests.stream()
            .collect(Collectors.toMap(GenerationRequest::requestId, GenerationRequest::prefix));
    List<int[]> prompts = cached.stream().map(s -> prefixes.get(s.requestId())).toList();
    List<int[]> responses = cached.stream().map(Sample::tokens).toList();
    float[][] forced = new TeacherForcedScorer(4).logProbs(policy, prompts, responses);
    for (int i = 0; i < cached.size(); i++) {
      float[] sampled = cached.get(i).logProbs();
      for (int j = 0; j < sampled.length; j++) {
        assertThat(sampled[j])
            .as("sample %d token %d", i, j)
            .isCloseTo(forced[i][j], within(1e-4f));
      }
    }
  }

  @Test
  void logProbsAreOfTheTemperedDistributionTheTokensWereDrawnFrom() {
    // At T = 0.7 the draw is from softmax(logits / 0.7): PPO's ratio needs that distribution's
    // log-probs (ALGORITHMS.md §3), computed here from the raw logits of one uncached forward pass
    // per sequence.
    double temperature = 0.7;
    List<GenerationRequest> requests = mixed(SAMPLING.withTemperature(temperature));
    List<Sample> samples = engine().generate(requests);
    Map<String, int[]> prefixes =
        requests.stream()
            .collect(Collectors.toMap(GenerationRequest::requestId, GenerationRequest::prefix));
    for (Sample s : samples) {
      int[] prefix = prefixes.get(s.requestId());
      int[] tokens = s.tokens();
      int[] sequence = Arrays.copyOf(prefix, prefix.length + tokens.length);
      System.arraycopy(tokens, 0, sequence, prefix.length, tokens.length);
      float[] logits; // (L, V)
      try (NDManager scope = policy.manager().newSubManager()) {
        PaddedBatch one = PaddedBatch.of(List.of(sequence), GenerationEngine.Padding.RIGHT);
        logits =
            policy.forward(one.input(scope, policy.dtype()), null, false).output().toFloatArray();
      }
      int vocab = logits.length / sequence.length;
      for (int j = 0; j < tokens.length; j++) {
        int row = (prefix.length - 1 + j) * vocab;
        // logProb at a temperature is checked against hand-computed values in TokenSamplerTest
        double expected =
            TokenSampler.logProb(
                Arrays.copyOfRange(logits, row, row + vocab), tokens[j], temperature);
        assertThat((double) s.logProbs()[j])
            .as("%s#%d token %d", s.requestId(), s.sampleIndex(), j)
            .isCloseTo(expected, within(1e-5));
      }
    }
  }

  @Test
  void batchCompositionDoesNotChangeARequestsSamples() {
    GenerationRequest a = new GenerationRequest("a", new int[] {1, 5, 9}, 3, SAMPLING);
    List<Sample> alone = engine().generate(List.of(a));
    List<Sample> together =
        engine()
            .generate(
                List.of(
                    new GenerationRequest("x", new int[] {2, 4, 6, 8, 10, 12, 14, 16}, 5, SAMPLING),
                    a,
                    new GenerationRequest("y", new int[] {11}, 1, SAMPLING.withMaxNewTokens(3))));
    assertSameSamples(alone, together.subList(5, 8));
    // Smaller batches change the composition again.
    List<Sample> split =
        engine(GenerationEngine.Options.DEFAULT.withMaxBatch(2)).generate(List.of(a));
    assertSameSamples(alone, split);
  }

  @Test
  void sharedPrefixesAreComputedOnceAndSamplesMatchOneRequestPerSample() {
    int[] shared = {4, 2, 8, 1};
    GenerationEngine engine = engine();
    List<Sample> grouped =
        engine.generate(
            List.of(
                new GenerationRequest("q", shared, 4, SAMPLING),
                new GenerationRequest("r", shared.clone(), 2, SAMPLING),
                new GenerationRequest("s", new int[] {9, 9}, 1, SAMPLING)));
    assertThat(engine.stats().prefillRows()).isEqualTo(2); // two distinct prefixes

    List<Sample> oneByOne = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      oneByOne.addAll(
          engine().generate(List.of(new GenerationRequest("q", shared, k, 1, SAMPLING))));
    }
    assertSameSamples(grouped.subList(0, 4), oneByOne);

    // One request per sample in one call: still one prefix pass for the shared prefix.
    GenerationEngine perSample = engine();
    List<GenerationRequest> requests = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      requests.add(new GenerationRequest("q", shared, k, 1, SAMPLING));
    }
    assertSameSamples(grouped.subList(0, 4), perSample.generate(requests));
    assertThat(perSample.stats().prefillRows()).isEqualTo(1);
  }

  @Test
  void leftAndRightPaddingGiveTheSameSamples() {
    List<Sample> left = engine().generate(mixed(SAMPLING));
    List<Sample> right =
        engine(GenerationEngine.Options.DEFAULT.withPadding(GenerationEngine.Padding.RIGHT))
            .generate(mixed(SAMPLING));
    assertSameSamples(left, right);
  }

  @Test
  void greedyPicksTheArgmaxAndTopKOfOneIsGreedy() {
    int[] prefix = {3, 14, 15, 9};
    SamplingParams greedy = SamplingParams.greedy(10);
    Sample sample =
        engine().generate(List.of(new GenerationRequest("g", prefix, 1, greedy))).get(0);
    int[] tokens = sample.tokens();
    float[][] logits = fullLogits(concat(prefix, tokens)); // (L, V)
    for (int j = 0; j < tokens.length; j++) {
      assertThat(tokens[j]).as("token %d", j).isEqualTo(argmax(logits[prefix.length + j - 1]));
    }
    SamplingParams topOne = new SamplingParams(1.3, 1, 1.0, 10, Set.of(), List.of());
    Sample top = engine().generate(List.of(new GenerationRequest("g", prefix, 1, topOne))).get(0);
    assertThat(top.tokens()).containsExactly(tokens);
    assertThat(sample.finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void differentSeedsAndSampleIndicesGiveDifferentSamples() {
    List<Sample> samples =
        engine().generate(List.of(new GenerationRequest("d", new int[] {1, 2}, 4, SAMPLING)));
    assertThat(samples).extracting(Sample::sampleIndex).containsExactly(0, 1, 2, 3);
    assertThat(samples.stream().map(s -> Arrays.toString(s.tokens())).distinct()).hasSize(4);
    Sample otherSeed =
        new GenerationEngine(policy, SEED + 1, Set.of(), TinyPolicies::text)
            .generate(List.of(new GenerationRequest("d", new int[] {1, 2}, 1, SAMPLING)))
            .get(0);
    assertThat(otherSeed.tokens()).isNotEqualTo(samples.get(0).tokens());
  }

  @Test
  void aStopTokenEndsTheSampleAndIsKept() {
    // 1 -> 2 -> 10 -> 3 -> 4 -> 10 -> 3 -> ...
    try (TransformerModel chain = TinyPolicies.bigram(chain())) {
      SamplingParams eos = new SamplingParams(1.0, 0, 1.0, 20, Set.of(4), List.of());
      Sample sample = generate(chain, new GenerationRequest("e", new int[] {1}, 1, eos));
      assertThat(sample.tokens()).containsExactly(2, 10, 3, 4);
      assertThat(sample.finishReason()).isEqualTo(FinishReason.EOS);
      assertThat(sample.logProbs()).containsOnly(new float[] {0f, 0f, 0f, 0f}, within(1e-5f));
    }
  }

  @Test
  void aStopStringEndsTheSampleAtTheTokenCompletingIt() {
    try (TransformerModel chain = TinyPolicies.bigram(chain())) {
      // Generated text "ckdekd..." ('c' = 2, 'k' = 10, 'd' = 3, 'e' = 4): "ekd" spans 3 tokens.
      SamplingParams stop = new SamplingParams(1.0, 0, 1.0, 20, Set.of(), List.of("ekd"));
      Sample sample = generate(chain, new GenerationRequest("s", new int[] {1}, 1, stop));
      assertThat(sample.tokens()).containsExactly(2, 10, 3, 4, 10, 3);
      assertThat(sample.finishReason()).isEqualTo(FinishReason.STOP_STRING);
    }
  }

  @Test
  void maxNewTokensEndsWithLengthAndStepsEndAtStepTokensAndTheLastToken() {
    try (TransformerModel chain = TinyPolicies.bigram(chain())) {
      SamplingParams params = new SamplingParams(0.7, 5, 0.9, 7, Set.of(), List.of());
      Sample sample = generate(chain, new GenerationRequest("m", new int[] {1}, 1, params));
      // tokens 2 10 | 3 4 10 | 3 4 : newline (10) closes a step, the last token closes the last.
      assertThat(sample.tokens()).containsExactly(2, 10, 3, 4, 10, 3, 4);
      assertThat(sample.stepEnds()).containsExactly(1, 4, 6);
      assertThat(sample.finishReason()).isEqualTo(FinishReason.LENGTH);
      Sample endsOnNewline =
          generate(
              chain,
              new GenerationRequest(
                  "n", new int[] {1}, 1, new SamplingParams(1, 0, 1, 5, Set.of(), List.of())));
      assertThat(endsOnNewline.stepEnds()).containsExactly(1, 4);
      Sample one =
          generate(chain, new GenerationRequest("o", new int[] {1}, 1, SamplingParams.greedy(1)));
      assertThat(one.tokens()).containsExactly(2);
      assertThat(one.stepEnds()).containsExactly(0);
      assertThat(one.finishReason()).isEqualTo(FinishReason.LENGTH);
    }
  }

  @Test
  void finishedSamplesLeaveTheBatch() {
    GenerationEngine engine = engine();
    engine.generate(
        List.of(
            new GenerationRequest("short", new int[] {1, 2}, 2, SAMPLING.withMaxNewTokens(2)),
            new GenerationRequest("long", new int[] {3}, 1, SAMPLING.withMaxNewTokens(9))));
    // The first token comes from the prefix pass, then one step per further token of the longest:
    // 3 rows in the first step, then the long one alone for 7 more.
    assertThat(engine.stats()).isEqualTo(new GenerationEngine.Stats(2, 8, 3 + 7, 2 * 2 + 9));
  }

  @Test
  void rejectsRequestsTheModelCannotServe() {
    GenerationEngine engine = engine();
    assertThatThrownBy(
            () ->
                engine.generate(
                    List.of(
                        new GenerationRequest(
                            "too-long", new int[60], 1, SAMPLING.withMaxNewTokens(5)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Request too-long: prefix of 60 tokens + maxNewTokens 5 = 65 exceeds the model's"
                + " maxSeqLen 64");
    assertThatThrownBy(
            () ->
                engine.generate(
                    List.of(new GenerationRequest("v", new int[] {1, 20}, 1, SAMPLING))))
        .hasMessage("Request v: prefix token 20 at index 1 is outside the vocabulary [0, 20)");
    assertThatThrownBy(
            () ->
                engine.generate(
                    List.of(
                        new GenerationRequest("d", new int[] {1}, 0, 3, SAMPLING),
                        new GenerationRequest("d", new int[] {2}, 2, 1, SAMPLING))))
        .hasMessage("Request d: sample 2 is asked for twice");
    try (TransformerModel critic = TinyPolicies.random(TransformerModel.Head.VALUE, 1)) {
      assertThatThrownBy(() -> new GenerationEngine(critic, 1, Set.of(), TinyPolicies::text))
          .hasMessageContaining("needs an LM head");
    }
  }

  @Test
  void generationLeavesNoArraysBehindAndRestoresGradMode() {
    Engine.getInstance();
    BaseNDManager manager = (BaseNDManager) policy.manager();
    int before = manager.getManagedArrays().size();
    boolean gradMode = JniUtils.isGradMode();
    engine().generate(mixed(SAMPLING));
    engine(GenerationEngine.Options.DEFAULT.withKvCache(false)).generate(mixed(SAMPLING));
    new TeacherForcedScorer(2)
        .logProbs(
            policy,
            List.of(new int[] {1, 2}, new int[] {3}),
            List.of(new int[] {4}, new int[] {5, 6}));
    assertThat(manager.getManagedArrays()).hasSize(before);
    assertThat(JniUtils.isGradMode()).isEqualTo(gradMode);
  }

  /** Token t's successor in the crafted chain: 1 -> 2 -> 10 -> 3 -> 4 -> 10; others -> 0. */
  private static int[] chain() {
    int[] next = new int[TinyPolicies.VOCAB];
    next[1] = 2;
    next[2] = 10;
    next[10] = 3;
    next[3] = 4;
    next[4] = 10;
    return next;
  }

  private static Sample generate(TransformerModel model, GenerationRequest request) {
    return new GenerationEngine(model, SEED, Set.of(10), TinyPolicies::text)
        .generate(List.of(request))
        .get(0);
  }

  /** The policy's logits (L, V) for every position of one sequence, no padding. */
  private static float[][] fullLogits(int[] sequence) {
    try (NDManager step = policy.manager().newSubManager()) {
      NDArray tokens =
          step.create(
              Arrays.stream(sequence).asLongStream().toArray(), new Shape(1, sequence.length));
      NDArray logits =
          policy
              .forward(
                  dev.rlflow.model.ModelInput.of(
                      tokens, step.ones(new Shape(1, sequence.length)), DataType.FLOAT32),
                  null,
                  false)
              .output()
              .reshape(sequence.length, -1);
      return GenerationEngine.rows(logits);
    }
  }

  private static int argmax(float[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) {
      if (row[i] > row[best]) {
        best = i;
      }
    }
    return best;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** Same tokens, step ends and finish reasons; log-probs equal up to float rounding. */
  static void assertSameSamples(List<Sample> expected, List<Sample> actual) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      Sample e = expected.get(i);
      Sample a = actual.get(i);
      assertThat(a.requestId()).isEqualTo(e.requestId());
      assertThat(a.sampleIndex()).isEqualTo(e.sampleIndex());
      assertThat(a.tokens()).as("tokens of %s", e).containsExactly(e.tokens());
      assertThat(a.stepEnds()).isEqualTo(e.stepEnds());
      assertThat(a.finishReason()).isEqualTo(e.finishReason());
      assertThat(a.logProbs()).containsExactly(e.logProbs(), within(1e-5f));
    }
  }
}
