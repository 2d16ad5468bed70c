package dev.rlflow.jobs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.model.ModelConfig;
import org.junit.jupiter.api.Test;

/** The benchmark's measurements run and count what they claim (a micro model, not timings). */
class ModelBenchTest {
  private static final ModelConfig MICRO =
      new ModelConfig(PolicyConfig.Architecture.LLAMA, 20, 16, 1, 2, 1, 32, 96, 10_000, 1e-5, true);

  @Test
  void everyMeasurementProducesFigures() {
    ModelBench bench = new ModelBench(MICRO, Device.cpu());
    assertThat(bench.matmulGflops(64, 1, 0.05)).isPositive();
    ModelBench.TrainFigures train = bench.train(2, 1);
    assertThat(train.tokensPerSecond()).isPositive();
    assertThat(train.gflops()).isPositive();
    ModelBench.GenerationFigures cached = bench.generate(4, 8, true, 2);
    ModelBench.GenerationFigures uncached = bench.generate(4, 8, false, 2);
    assertThat(cached.tokens()).isEqualTo(32);
    assertThat(uncached.tokens()).isEqualTo(32);
    assertThat(bench.score(4, 8, 3).tokens()).isEqualTo(3 * 4 * (16 + 8));
  }
}
