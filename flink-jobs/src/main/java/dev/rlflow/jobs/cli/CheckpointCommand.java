package dev.rlflow.jobs.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import dev.rlflow.resharding.checkpoint.CheckpointIndex;
import dev.rlflow.resharding.checkpoint.CheckpointReader;
import dev.rlflow.resharding.checkpoint.FragmentEntry;
import dev.rlflow.resharding.checkpoint.NDArrayTensors;
import dev.rlflow.resharding.checkpoint.TensorBytes;
import dev.rlflow.resharding.checkpoint.TensorEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rlflow checkpoint inspect|verify|convert URI}: look at a universal checkpoint version
 * (ALGORITHMS.md §7) on any Hadoop FileSystem. A damaged or uncommitted version exits with 2 and
 * the named problem (RlflowCommand's handler).
 */
@Command(
    name = "checkpoint",
    description = "Inspect, verify and convert universal checkpoint versions (file:// or hdfs://).",
    mixinStandardHelpOptions = true,
    subcommands = {
      CheckpointCommand.Inspect.class,
      CheckpointCommand.Verify.class,
      CheckpointCommand.Convert.class
    })
final class CheckpointCommand {

  /** The version directory a command names, e.g. hdfs://namenode:8020/runs/r1/weights/v12. */
  static final class Version {
    @Parameters(index = "0", paramLabel = "URI", description = "A version directory.")
    String uri;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Where the command prints. */
    PrintWriter out() {
      return command.commandLine().getOut();
    }

    CheckpointReader open() throws IOException {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
      FileSystem fs = path.getFileSystem(new Configuration());
      return CheckpointReader.open(fs, path);
    }
  }

  @Command(
      name = "inspect",
      description = {
        "Print a version's index: provenance, model, tensors with shapes, dtypes and fragments,",
        "total bytes. Reads the marker and the index only."
      },
      mixinStandardHelpOptions = true)
  static final class Inspect implements Callable<Integer> {
    @Mixin Version version;

    @Override
    public Integer call() throws IOException {
      CheckpointIndex index = version.open().index();
      PrintWriter out = version.out();
      Provenance p = index.info().provenance();
      out.printf(
          "%s: %s version %d, committed%n",
          version.uri, CheckpointIndex.FORMAT, CheckpointIndex.FORMAT_VERSION);
      out.printf(
          "  provenance: run %s, config hash %s, seed %d, policy version %d, code %s%n",
          p.runId(), p.configHash(), p.seed(), index.info().policyVersion(), p.codeVersion());
      out.printf("  model: %s%n", index.info().model().map(Object::toString).orElse("none"));
      long files =
          index.tensors().values().stream()
              .flatMap(t -> t.fragments().stream())
              .map(FragmentEntry::file)
              .distinct()
              .count();
      out.printf(
          "  tensors: %d, %d bytes in %d fragment files%n",
          index.tensors().size(), index.totalBytes(), files);
      for (TensorEntry tensor : index.tensors().values()) {
        out.printf(
            "  %s %s %s, %d fragments%n",
            tensor.name(),
            tensor.dtype(),
            Arrays.toString(tensor.shape()),
            tensor.fragments().size());
        for (FragmentEntry f : tensor.fragments()) {
          out.printf(
              "    rank %d %s bytes [%d, %d) %s crc32c %d%n",
              f.rank(), f.file(), f.begin(), f.end(), f.region(), f.crc32c());
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "verify",
      description = {
        "Read every fragment and check every CRC32C and fragment header against the index.",
        "Exit code 0 when intact, 2 with the named problem when not."
      },
      mixinStandardHelpOptions = true)
  static final class Verify implements Callable<Integer> {
    @Mixin Version version;

    @Override
    public Integer call() throws IOException {
      CheckpointReader reader = version.open();
      long bytes = reader.verify();
      PrintWriter out = version.out();
      out.printf(
          "%s: intact, %d tensors, %d bytes checked against their CRC32C%n",
          version.uri, reader.index().tensors().size(), bytes);
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "convert",
      description = {
        "Write a version's model as a Hugging Face directory (config.json + model.safetensors,",
        "provenance.json), FP32; optimizer/ tensors stay behind. Needs a version whose index",
        "carries the model config (policy, critic and PRM checkpoints). An RL trainer's save",
        "(checkpoints/rl-state/<job>/chk-<id>) holds several models: pick one with --prefix."
      },
      mixinStandardHelpOptions = true)
  static final class Convert implements Callable<Integer> {
    @Mixin Version version;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "DIR",
        description = "A new or empty local directory.")
    Path to;

    @Option(
        names = "--prefix",
        paramLabel = "PREFIX",
        description = {
          "Convert only the tensors named PREFIX<name>, written as <name>: policy/ (or",
          "policy-v<v>/, critic/) of an RL trainer's save. Default: every tensor."
        })
    String prefix = "";

    @Override
    public Integer call() throws IOException {
      CheckpointReader reader = version.open();
      ModelConfig config =
          reader
              .index()
              .info()
              .model()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          version.uri
                              + ": the index carries no model config, so it is no policy, critic"
                              + " or PRM checkpoint to convert"));
      List<String> names =
          reader.index().tensors().keySet().stream()
              .filter(n -> n.startsWith(prefix) && !n.startsWith(CheckpointIndex.OPTIMIZER_PREFIX))
              .toList();
      // Hugging Face names have no '/': one here is another model's prefix (an RL trainer's save).
      Set<String> models = new TreeSet<>();
      for (String name : names) {
        int slash = name.indexOf('/', prefix.length());
        if (slash >= 0) {
          models.add(name.substring(0, slash + 1));
        }
      }
      if (names.isEmpty() || !models.isEmpty()) {
        throw new IllegalArgumentException(
            "Invalid value '"
                + prefix
                + "' for --prefix: "
                + version.uri
                + (names.isEmpty()
                    ? " holds no model under it"
                    : " holds several models " + models + ": pick one with --prefix"));
      }
      Map<String, TensorBytes> weights = new LinkedHashMap<>();
      for (String name : names) {
        weights.put(name.substring(prefix.length()), reader.read(name));
      }
      try (NDManager manager = NDManager.newBaseManager()) {
        Map<String, NDArray> arrays = NDArrayTensors.toArrays(weights, manager);
        HfCheckpoint.write(to, config, arrays, Long.MAX_VALUE, reader.index().info().provenance());
      }
      PrintWriter out = version.out();
      out.printf(
          "Wrote %s: %d tensors of %s (%d optimizer or other tensors left out)%n",
          to, weights.size(), version.uri, reader.index().tensors().size() - weights.size());
      out.flush();
      return 0;
    }
  }
}
