package dev.rlflow.rollout;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.transformer.TransformerModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Runs warm-up generation, then at least {@code args[0]} decode steps, and prints one line {@code
 * steps=N startKb=A endKb=B seconds=S} with the process's VmRSS before and after. Started in its
 * own JVM by {@link GenerationEngineNativeMemoryTest}, with a fixed, pre-touched heap so that RSS
 * changes are native memory.
 */
final class NativeMemoryProbe {
  /** 2 layers, hidden 16: small enough that 10 000 steps take seconds on two cores. */
  private static final ModelConfig CONFIG =
      new ModelConfig(
          PolicyConfig.Architecture.LLAMA, 20, 16, 2, 4, 2, 32, 256, 10_000, 1e-5, false);

  private static final long WARM_UP_STEPS = 1_000;

  private NativeMemoryProbe() {}

  public static void main(String[] args) throws IOException {
    long decodeSteps = Long.parseLong(args[0]);
    try (TransformerModel policy =
        TransformerModel.create(
            CONFIG, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 3)) {
      GenerationEngine engine = new GenerationEngine(policy, 1, Set.of(2), TinyPolicies::text);
      SamplingParams params = new SamplingParams(1.0, 5, 0.95, 200, Set.of(), List.of());
      int call = 0;
      while (engine.stats().decodeSteps() < WARM_UP_STEPS) {
        engine.generate(requests(call++, params));
      }
      long startSteps = engine.stats().decodeSteps();
      long startKb = residentKb();
      long startNanos = System.nanoTime();
      while (engine.stats().decodeSteps() - startSteps < decodeSteps) {
        engine.generate(requests(call++, params));
      }
      System.out.printf(
          "steps=%d startKb=%d endKb=%d seconds=%.1f%n",
          engine.stats().decodeSteps() - startSteps,
          startKb,
          residentKb(),
          (System.nanoTime() - startNanos) / 1e9);
    }
  }

  /** Two prefixes, one stopping early so that finished samples leave the batch every call. */
  private static List<GenerationRequest> requests(int call, SamplingParams params) {
    return List.of(
        new GenerationRequest("long-" + call, new int[] {1, 2, 3}, 2, params),
        new GenerationRequest("short-" + call, new int[] {4, 5}, 2, params.withMaxNewTokens(100)));
  }

  private static long residentKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("No VmRSS in /proc/self/status");
  }
}
