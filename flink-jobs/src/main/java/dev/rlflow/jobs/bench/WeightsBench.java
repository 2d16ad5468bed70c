package dev.rlflow.jobs.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.provenance.CodeVersion;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.resharding.store.FilesystemWeightStore;
import dev.rlflow.resharding.store.WeightLease;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Measures the filesystem weight store against its filesystem: the time to publish one policy
 * version of a model and to load it in a second store instance (a Rollout subtask of another JVM),
 * and in the same run the time to write and read the same number of bytes as one file with plain
 * streams of the same Hadoop FileSystem. The ratios say what the store's format (bucket files, the
 * index, CRC32C, the conversion to and from arrays) costs over moving the bytes.
 *
 * <p>On the local filesystem the store moves bytes through NIO channels, not Hadoop's checksummed
 * streams, so there the bench also times the same bytes written from and read into native memory
 * through a channel: the floor that the store's own format overhead sits on.
 */
public final class WeightsBench {
  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);

  private final ModelConfig config;
  private final String dir;

  /**
   * A bench of {@code config}'s model, writing under the directory {@code dir} (any Hadoop URI).
   */
  public WeightsBench(ModelConfig config, String dir) {
    this.config = config;
    this.dir = dir;
  }

  /** The median figures of the repetitions, in seconds, for {@code bytes} of float32 weights. */
  public record Figures(
      long bytes,
      double publishSeconds,
      double loadSeconds,
      double rawWriteSeconds,
      double rawReadSeconds,
      OptionalDouble channelWriteSeconds,
      OptionalDouble channelReadSeconds,
      String fileSystem) {}

  /**
   * Publishes and loads one version, then writes and reads the same bytes raw, {@code repetitions}
   * times after one unmeasured warm-up, and returns the medians. Deletes what it wrote.
   */
  public Figures measure(int repetitions) throws IOException, InterruptedException {
    if (repetitions < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + repetitions + " for repetitions: must be >= 1");
    }
    Engine.getInstance();
    Path base = new Path(dir, "bench-weights-" + UUID.randomUUID());
    FileSystem fs = base.getFileSystem(new Configuration());
    Provenance provenance =
        new Provenance("bench-weights", "bench-weights", 0, CodeVersion.current());
    java.nio.file.Path local = fs instanceof LocalFileSystem l ? l.pathToFile(base).toPath() : null;
    double[][] times = new double[6][repetitions];
    try (TransformerModel model =
            TransformerModel.create(
                config, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 1);
        FilesystemWeightStore publisher =
            FilesystemWeightStore.open(new Path(base, "store").toString(), 1, provenance);
        FilesystemWeightStore reader =
            FilesystemWeightStore.open(new Path(base, "store").toString(), 1, provenance)) {
      Map<String, NDArray> weights = model.weights();
      long bytes = weights.values().stream().mapToLong(a -> a.size() * 4).sum();
      byte[] raw = new byte[Math.toIntExact(bytes)];
      new Random(1).nextBytes(raw); // incompressible, as weights are
      ByteBuffer nativeBytes = ByteBuffer.allocateDirect(raw.length).put(raw).flip();
      ByteBuffer nativeBack = ByteBuffer.allocateDirect(raw.length);
      for (int r = -1; r < repetitions; r++) { // r = -1 warms up
        long version = r + 1L;
        long start = System.nanoTime();
        publisher.publish(version, weights);
        long published = System.nanoTime();
        try (WeightLease lease = reader.await(version, LOAD_TIMEOUT)) {
          lease.weights(); // loaded whole before await returned
        } catch (TimeoutException e) {
          throw new IllegalStateException("A published version did not load", e);
        }
        long loaded = System.nanoTime();
        Path file = new Path(base, "raw-" + version);
        try (FSDataOutputStream out = fs.create(file, true)) {
          out.write(raw);
        }
        long written = System.nanoTime();
        byte[] back = new byte[raw.length];
        try (FSDataInputStream in = fs.open(file)) {
          in.readFully(0, back);
        }
        long read = System.nanoTime();
        fs.delete(file, false);
        if (local != null) {
          java.nio.file.Path channelFile = local.resolve("channel-" + version);
          long channelStart = System.nanoTime();
          try (FileChannel out =
              FileChannel.open(
                  channelFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (ByteBuffer b = nativeBytes.duplicate(); b.hasRemaining(); ) {
              out.write(b);
            }
          }
          long channelWritten = System.nanoTime();
          try (FileChannel in = FileChannel.open(channelFile, StandardOpenOption.READ)) {
            for (nativeBack.clear(); nativeBack.hasRemaining(); ) {
              in.read(nativeBack, nativeBack.position());
            }
          }
          long channelRead = System.nanoTime();
          Files.delete(channelFile);
          if (r >= 0) {
            times[4][r] = (channelWritten - channelStart) / 1e9;
            times[5][r] = (channelRead - channelWritten) / 1e9;
          }
        }
        if (r >= 0) {
          times[0][r] = (published - start) / 1e9;
          times[1][r] = (loaded - published) / 1e9;
          times[2][r] = (written - loaded) / 1e9;
          times[3][r] = (read - written) / 1e9;
        }
      }
      return new Figures(
          bytes,
          median(times[0]),
          median(times[1]),
          median(times[2]),
          median(times[3]),
          local == null ? OptionalDouble.empty() : OptionalDouble.of(median(times[4])),
          local == null ? OptionalDouble.empty() : OptionalDouble.of(median(times[5])),
          fs.getUri().toString());
    } finally {
      fs.delete(base, true);
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
