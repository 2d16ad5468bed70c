package dev.rlflow.jobs.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.LinkedHashMap;
import java.util.Map;
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
   * GFLOP/s of repeated square FP32 matmuls of size {@code n} (2 n^3 FLOPs each), after warm-up:
   * the machine's reference for dense compute.
   */
  public double matmulGflops(int n, double seconds) {
    try (NDManager manager = NDManager.newBaseManager(device)) {
      NDArray a = manager.randomNormal(new Shape(n, n));
      NDArray b = manager.randomNormal(new Shape(n, n));
      for (int i = 0; i < 3; i++) {
        try (NDManager step = manager.newSubManager()) {
          a.matMul(b).attach(step);
        }
      }
      long start = System.nanoTime();
      long count = 0;
      while (System.nanoTime() - start < seconds * 1e9 || count < 3) {
        try (NDManager step = manager.newSubManager()) {
          NDArray c = a.matMul(b);
          c.attach(step);
          c.getFloat(0, 0); // wait for the result
        }
        count++;
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      return 2.0 * n * n * n * count / elapsed / 1e9;
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
        NDManager data = model.manager().newSubManager()) {
      Optimizer adamW =
          Optimizer.adamW()
              .optLearningRateTracker(Tracker.fixed(1e-4f))
              .optWeightDecays(0.01f)
              .build();
      long[][] ids = randomTokens(TRAIN_BATCH, TRAIN_LENGTH + 1, seed);
      int warmup = 2;
      long start = 0;
      for (int step = 0; step < warmup + steps; step++) {
        if (step == warmup) {
          start = System.nanoTime();
        }
        try (NDManager scope = data.newSubManager()) {
          NDArray batch = scope.create(ids); // (B, T + 1)
          NDArray targets = batch.get(":, 1:").oneHot(config.vocabSize()); // (B, T, V)
          ModelInput input =
              ModelInput.of(
                  batch.get(":, :-1"),
                  scope.ones(new Shape(TRAIN_BATCH, TRAIN_LENGTH)),
                  DataType.FLOAT32);
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(input, null, true).output(); // (B, T, V)
            NDArray loss =
                logits.logSoftmax(-1).mul(targets).sum().neg().div(TRAIN_BATCH * TRAIN_LENGTH);
            collector.backward(loss);
          }
          for (Map.Entry<String, NDArray> w : model.weights().entrySet()) {
            // DJL accumulates gradients until they are zeroed; the handle is a view, scoped here.
            NDArray gradient = w.getValue().getGradient();
            gradient.attach(scope);
            adamW.update(w.getKey(), w.getValue(), gradient);
            gradient.subi(gradient);
          }
          model.weights().values().iterator().next().getFloat(0, 0); // wait for the update
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double trained = (double) steps * TRAIN_BATCH * TRAIN_LENGTH;
      // Backward costs two forwards (Kaplan et al. 2020): 3x the forward FLOPs per token.
      double flops = 3 * config.forwardFlopsPerToken(TRAIN_LENGTH) * trained;
      return new TrainFigures(trained / seconds, flops / seconds / 1e9, seconds * 1000 / steps);
    }
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

  /** The figures as the JSON of the keys. */
  static Map<String, Object> json(Map<String, Object> figures) {
    return new LinkedHashMap<>(figures);
  }
}
