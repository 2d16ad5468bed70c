package dev.rlflow.jobs.bench;

import ai.djl.Device;
import dev.rlflow.model.ModelConfig;
import org.junit.jupiter.api.Test;

class BenchScratchTest {
  @Test
  void run() {
    for (String p : new String[] {"tiny", "small"}) {
      ModelBench bench = new ModelBench(ModelConfig.Preset.of(p).config(48), Device.cpu());
      double mm = bench.matmulGflops(1024, 3);
      ModelBench.TrainFigures t = bench.train(p.equals("tiny") ? 20 : 5, 1);
      System.out.printf(
          "%s matmul %.1f GFLOP/s; train %.0f tok/s %.1f GFLOP/s (%.0f%%) %.0f ms/step%n",
          p, mm, t.tokensPerSecond(), t.gflops(), 100 * t.gflops() / mm, t.msPerStep());
    }
  }
}
