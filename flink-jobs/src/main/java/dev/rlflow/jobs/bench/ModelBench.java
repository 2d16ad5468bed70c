package dev.rlflow.jobs.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.GenerationEngine;
import dev.rlflow.rollout.GenerationRequest;
import dev.rlflow.rollout.Sample;
import dev.rlflow.rollout.SamplingParams;
import dev.rlflow.rollout.TeacherForcedScorer;
import dev.rlflow.training.optim.AdamW;
import dev.rlflow.training.schedule.LearningRateSchedule;
import dev.rlflow.training.sft.SftExample;
import dev.rlflow.training.sft.SftTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Measures model compute on this machine: a matmul reference, training throughput and its share of
 * that reference, generation with and without the KV cache, and teacher-forced scoring. Every
 * figure comes from the same run, so the ratios hold whatever the machine.
 */
public final class ModelBench {
  /** Training batch of the issue: 32 sequences of 64 tokens. */
  static final int TRAIN_BATCH = 32;

  static final int TRAIN_LENGTH = 64;

  private final ModelConfig config;
  private final Device device;

  public ModelBench(ModelConfig config, Device device) {
    this.config = config;
    this.device = device;
  }

  /**
   * GFLOP/s of repeated square FP32 matmuls of size {@code n} (2 n^3 FLOPs each): the best of
   * {@code windows} timed windows after warm-up, the machine's reference for dense compute. The
   * best window, not the mean, so that a busy moment lowers no ratio computed against it.
   */
  public double matmulGflops(int n, int windows, double secondsPerWindow) {
    try (NDManager manager = NDManager.newBaseManager(device)) {
      NDArray a = manager.randomNormal(new Shape(n, n));
      NDArray b = manager.randomNormal(new Shape(n, n));
      double best = 0;
      for (int window = -1; window < windows; window++) { // window -1 warms up
        long start = System.nanoTime();
        long count = 0;
        while (System.nanoTime() - start < secondsPerWindow * 1e9 || count < 2) {
          try (NDManager step = manager.newSubManager()) {
            NDArray c = a.matMul(b);
            c.attach(step);
            c.getFloat(0, 0); // wait for the result
          }
          count++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (window >= 0) {
          best = Math.max(best, 2.0 * n * n * n * count / elapsed / 1e9);
        }
      }
      return best;
    }
  }

  /** Result of the training measurement. */
  public record TrainFigures(double tokensPerSecond, double gflops, double msPerStep) {}

  /**
   * Training steps of next-token cross-entropy with forward, backward and an AdamW update on random
   * tokens (B = 32, T = 64), after warm-up.
   */
  public TrainFigures train(int steps, long seed) {
    Engine.getInstance();
    try (TransformerModel model =
            TransformerModel.create(
                config, TransformerModel.Head.LM, DataType.FLOAT32, device, seed);
        SftTrainer trainer =
            new SftTrainer(
                model,
                new SftTrainer.Config(
                    new LearningRateSchedule.Constant(1e-4, 0),
                    AdamW.Hyperparameters.defaults(),
                    1.0,
                    1,
                    3),
                0)) {
      // The trainer of the sft job: forward, backward, global-norm clipping, AdamW. One prompt
      // token and T response tokens per sequence, so every one of the T inputs is trained.
      List<SftExample> batch = new ArrayList<>(TRAIN_BATCH);
      for (long[] row : randomTokens(TRAIN_BATCH, TRAIN_LENGTH + 1, seed)) {
        int[] ids = toInts(row);
        batch.add(
            new SftExample(
                java.util.Arrays.copyOf(ids, 1), java.util.Arrays.copyOfRange(ids, 1, ids.length)));
      }
      int warmup = 2;
      long start = 0;
      for (int step = 0; step < warmup + steps; step++) {
        if (step == warmup) {
          start = System.nanoTime();
        }
        trainer.step(batch);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double trained = (double) steps * TRAIN_BATCH * TRAIN_LENGTH;
      // Backward costs two forwards (Kaplan et al. 2020): 3x the forward FLOPs per token.
      double flops = 3 * config.forwardFlopsPerToken(TRAIN_LENGTH) * trained;
      return new TrainFigures(trained / seconds, flops / seconds / 1e9, seconds * 1000 / steps);
    }
  }

  /** Result of a generation measurement. */
  public record GenerationFigures(double tokensPerSecond, long tokens, double seconds) {}

  /**
   * Samples {@code sequences} continuations of {@code newTokens} tokens each (temperature 1, no
   * stop), one per distinct random prompt of 16 tokens, with or without the KV cache.
   */
  public GenerationFigures generate(int sequences, int newTokens, boolean kvCache, long seed) {
    Engine.getInstance();
    try (TransformerModel model =
        TransformerModel.create(config, TransformerModel.Head.LM, DataType.FLOAT32, device, seed)) {
      SamplingParams params = new SamplingParams(1.0, 0, 1.0, newTokens, Set.of(), List.of());
      List<GenerationRequest> requests = new ArrayList<>();
      long[][] prompts = randomTokens(sequences, 16, seed);
      for (int i = 0; i < sequences; i++) {
        requests.add(new GenerationRequest("bench-" + i, toInts(prompts[i]), 1, params));
      }
      GenerationEngine engine =
          new GenerationEngine(
              model,
              seed,
              Set.of(),
              String::valueOf,
              GenerationEngine.Options.DEFAULT.withKvCache(kvCache));
      engine.generate(requests.subList(0, Math.min(4, sequences))); // warm-up
      long start = System.nanoTime();
      List<Sample> samples = engine.generate(requests);
      double seconds = (System.nanoTime() - start) / 1e9;
      long tokens = samples.stream().mapToLong(sample -> sample.tokens().length).sum();
      return new GenerationFigures(tokens / seconds, tokens, seconds);
    }
  }

  /**
   * Teacher-forced log-probs of {@code sequences} prompt + response pairs (16 + {@code
   * responseTokens} tokens); tokens/s counts every token through the model.
   */
  public GenerationFigures score(int sequences, int responseTokens, long seed) {
    Engine.getInstance();
    try (TransformerModel model =
        TransformerModel.create(config, TransformerModel.Head.LM, DataType.FLOAT32, device, seed)) {
      List<int[]> prompts = new ArrayList<>();
      List<int[]> responses = new ArrayList<>();
      for (long[] row : randomTokens(sequences, 16, seed)) {
        prompts.add(toInts(row));
      }
      for (long[] row : randomTokens(sequences, responseTokens, seed + 1)) {
        responses.add(toInts(row));
      }
      TeacherForcedScorer scorer = new TeacherForcedScorer(sequences);
      scorer.logProbs(model, prompts.subList(0, 1), responses.subList(0, 1)); // warm-up
      int repeats = 3;
      long start = System.nanoTime();
      for (int r = 0; r < repeats; r++) {
        scorer.logProbs(model, prompts, responses);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long tokens = (long) repeats * sequences * (16 + responseTokens);
      return new GenerationFigures(tokens / seconds, tokens, seconds);
    }
  }

  private static int[] toInts(long[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  private long[][] randomTokens(int rows, int length, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[][] ids = new long[rows][length];
    for (long[] row : ids) {
      for (int i = 0; i < length; i++) {
        row[i] = random.nextInt(config.vocabSize());
      }
    }
    return ids;
  }
}
