package dev.rlflow.jobs.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.jobs.bench.ModelBench;
import dev.rlflow.jobs.bench.WeightsBench;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.CharTokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rlflow bench model|weights}: model compute figures of this machine, and the filesystem
 * weight store against its filesystem.
 */
@Command(
    name = "bench",
    description =
        "Measure this machine: model compute, weight store against raw filesystem I/O, rollout"
            + " scaling.",
    mixinStandardHelpOptions = true,
    subcommands = {
      BenchCommand.Model.class,
      BenchCommand.Weights.class,
      RolloutScalingCommand.class
    })
final class BenchCommand {

  @Command(
      name = "model",
      description = {
        "Measure the policy model on this machine, all figures from one run:",
        "matmul GFLOP/s (the reference), training tokens/s (forward + backward + AdamW,",
        "B=32, T=64) and its FLOP/s as a fraction of the matmul figure, generation tokens/s",
        "(64 sequences x 64 new tokens) with and without the KV cache, teacher-forced scoring."
      },
      mixinStandardHelpOptions = true)
  static final class Model implements Callable<Integer> {
    @Mixin BenchOptions options;

    @Option(
        names = "--train-steps",
        defaultValue = "0",
        description = "Timed training steps (0: 20 for tiny, 5 for small).")
    int trainSteps;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ModelConfig.Preset size = ModelConfig.Preset.of(options.preset);
      ModelConfig config = size.config(new CharTokenizer().vocabSize());
      PrintWriter out = spec.commandLine().getOut();
      String threads =
          System.getProperty(
              "ai.djl.pytorch.num_threads",
              Runtime.getRuntime().availableProcessors() + " (default)");
      out.printf(
          "rlflow bench model: preset %s, %,d parameters, vocab %d (char), %s %s on %s,"
              + " %s threads%n",
          options.preset,
          config.parameterCount(),
          config.vocabSize(),
          Engine.getInstance().getEngineName(),
          Engine.getInstance().getVersion(),
          Device.cpu(),
          threads);
      out.flush();
      ModelBench bench = new ModelBench(config, Device.cpu());
      double matmul = bench.matmulGflops(1024, 5, 0.6);
      out.printf("matmul (1024x1024 fp32):     %8.1f GFLOP/s (best of 5 windows)%n", matmul);
      out.flush();
      int steps = trainSteps > 0 ? trainSteps : size == ModelConfig.Preset.TINY ? 20 : 5;
      ModelBench.TrainFigures train = bench.train(steps, 1);
      out.printf(
          "train (B=32, T=64, AdamW):   %8.0f tokens/s  %6.1f ms/step  %6.1f GFLOP/s = %.0f %% of"
              + " matmul%n",
          train.tokensPerSecond(),
          train.msPerStep(),
          train.gflops(),
          100 * train.gflops() / matmul);
      out.flush();
      ModelBench.GenerationFigures cached = bench.generate(64, 64, true, 2);
      out.printf(
          "generate 64 x 64, KV cache:  %8.0f tokens/s  (%d tokens in %.2f s)%n",
          cached.tokensPerSecond(), cached.tokens(), cached.seconds());
      out.flush();
      ModelBench.GenerationFigures uncached = bench.generate(64, 64, false, 2);
      out.printf(
          "generate 64 x 64, no cache:  %8.0f tokens/s  (%d tokens in %.2f s); cache speed-up"
              + " %.1fx%n",
          uncached.tokensPerSecond(),
          uncached.tokens(),
          uncached.seconds(),
          cached.tokensPerSecond() / uncached.tokensPerSecond());
      out.flush();
      ModelBench.GenerationFigures scored = bench.score(64, 64, 3);
      out.printf(
          "score (teacher-forced, 64 x (16 + 64)): %8.0f tokens/s%n", scored.tokensPerSecond());
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("preset", options.preset);
      figures.put("parameters", config.parameterCount());
      figures.put("matmul_gflops", matmul);
      figures.put("train_tokens_per_s", train.tokensPerSecond());
      figures.put("train_flops_fraction", train.gflops() / matmul);
      figures.put("gen_tokens_per_s_cached", cached.tokensPerSecond());
      figures.put("gen_tokens_per_s_uncached", uncached.tokensPerSecond());
      figures.put("score_tokens_per_s", scored.tokensPerSecond());
      options.write(figures, out);
      return 0;
    }
  }

  @Command(
      name = "weights",
      description = {
        "Measure the filesystem weight store on the filesystem of --dir (file://, hdfs://):",
        "publish and load time of one policy version of the preset's model, and the raw",
        "write and read time of as many bytes as one file with plain streams, in one run",
        "(on file:// also through a NIO channel, the way the store moves local bytes);",
        "medians of --repetitions after a warm-up. Deletes what it wrote."
      },
      mixinStandardHelpOptions = true)
  static final class Weights implements Callable<Integer> {
    @Mixin BenchOptions options;

    @Option(
        names = "--dir",
        required = true,
        paramLabel = "URI",
        description = "Directory to write under, on any Hadoop FileSystem.")
    String dir;

    @Option(
        names = "--repetitions",
        defaultValue = "5",
        description = "Measured repetitions. Default: ${DEFAULT-VALUE}.")
    int repetitions;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ModelConfig config =
          ModelConfig.Preset.of(options.preset).config(new CharTokenizer().vocabSize());
      PrintWriter out = spec.commandLine().getOut();
      WeightsBench.Figures f = new WeightsBench(config, dir).measure(repetitions);
      double megabytes = f.bytes() / 1e6;
      out.printf(
          "rlflow bench weights: preset %s, %,d parameters, %.1f MB of float32 weights, on %s,"
              + " median of %d%n",
          options.preset, config.parameterCount(), megabytes, f.fileSystem(), repetitions);
      out.printf(
          "publish (weight store): %8.3f s %8.1f MB/s   raw write: %8.3f s %8.1f MB/s   ratio"
              + " %.2f%n",
          f.publishSeconds(),
          megabytes / f.publishSeconds(),
          f.rawWriteSeconds(),
          megabytes / f.rawWriteSeconds(),
          f.publishSeconds() / f.rawWriteSeconds());
      out.printf(
          "load (weight store):    %8.3f s %8.1f MB/s   raw read:  %8.3f s %8.1f MB/s   ratio"
              + " %.2f%n",
          f.loadSeconds(),
          megabytes / f.loadSeconds(),
          f.rawReadSeconds(),
          megabytes / f.rawReadSeconds(),
          f.loadSeconds() / f.rawReadSeconds());
      if (f.channelWriteSeconds().isPresent()) {
        double write = f.channelWriteSeconds().getAsDouble();
        double read = f.channelReadSeconds().getAsDouble();
        out.printf(
            "local files, as the store moves them (NIO channel, native memory): write %.3f s,"
                + " read %.3f s; store over channel: publish %.2f, load %.2f%n",
            write, read, f.publishSeconds() / write, f.loadSeconds() / read);
      }
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("preset", options.preset);
      figures.put("parameters", config.parameterCount());
      figures.put("filesystem", f.fileSystem());
      figures.put("repetitions", repetitions);
      figures.put("bytes", f.bytes());
      figures.put("publish_seconds", f.publishSeconds());
      figures.put("load_seconds", f.loadSeconds());
      figures.put("raw_write_seconds", f.rawWriteSeconds());
      figures.put("raw_read_seconds", f.rawReadSeconds());
      figures.put("publish_over_raw_write", f.publishSeconds() / f.rawWriteSeconds());
      figures.put("load_over_raw_read", f.loadSeconds() / f.rawReadSeconds());
      f.channelWriteSeconds().ifPresent(v -> figures.put("channel_write_seconds", v));
      f.channelReadSeconds().ifPresent(v -> figures.put("channel_read_seconds", v));
      options.write(figures, out);
      return 0;
    }
  }

  /** Writes {@code figures} to {@code json} and says so. */
  static void writeJson(Path json, Map<String, Object> figures, PrintWriter out)
      throws java.io.IOException {
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), figures);
    out.println("wrote " + json);
  }

  /** The options every bench takes: the model preset, and a JSON file for the figures. */
  static final class BenchOptions {
    @Option(
        names = "--preset",
        defaultValue = "tiny",
        description = "tiny (~1.6 M parameters) or small (~25 M). Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    /** Writes {@code figures} to the JSON file when one is given, and says so. */
    void write(Map<String, Object> figures, PrintWriter out) throws java.io.IOException {
      if (json != null) {
        writeJson(json, figures, out);
      }
      out.flush();
    }
  }
}
