package dev.rlflow.jobs.rlhf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.resharding.checkpoint.CheckpointIndex;
import dev.rlflow.resharding.checkpoint.CheckpointInfo;
import dev.rlflow.resharding.checkpoint.CheckpointReader;
import dev.rlflow.resharding.checkpoint.CheckpointWriter;
import dev.rlflow.resharding.checkpoint.NDArrayTensors;
import dev.rlflow.resharding.checkpoint.TensorBytes;
import dev.rlflow.resharding.checkpoint.TensorDtype;
import dev.rlflow.training.rl.TrainerCheckpoint;
import dev.rlflow.training.rl.TrainerCheckpoint.ModelState;
import dev.rlflow.training.rl.TrainerCheckpoint.Part;
import java.io.IOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An RL trainer's save as ONE universal checkpoint version (ALGORITHMS.md §7) on any Hadoop
 * FileSystem (file://, hdfs://): the tensors of a {@link TrainerCheckpoint} and the older policy
 * versions the rollout still needs, under these names (FP32, raft's replay buffer as bytes):
 *
 * <pre>
 * policy/&lt;param&gt;                           the policy (convert it with --prefix policy/)
 * critic/&lt;param&gt;                           ppo: the critic
 * optimizer/exp_avg/policy/&lt;param&gt;         Adam's moments, {@link CheckpointIndex#expAvg} and
 * optimizer/exp_avg_sq/policy/&lt;param&gt;      {@link CheckpointIndex#expAvgSq} of the names above
 * optimizer/exp_avg[_sq]/critic/&lt;param&gt;    ppo: the critic's
 * policy-v&lt;v&gt;/&lt;param&gt;                    older policy versions batches in the rollout need
 * trainer/replay                           raft with replay: the buffer's bytes (U8)
 * </pre>
 *
 * The commit marker is written last, so a save interrupted by a crash is refused on restore with
 * {@link dev.rlflow.resharding.checkpoint.UncommittedVersionException}; every byte read back is
 * checked against its CRC32C. The counters stay in the trainer's operator state ({@link
 * TrainerState}). It lives in flink-jobs because training may not import resharding nor resharding
 * training (DESIGN.md §2): this is the one module that sees both.
 */
final class UniversalTrainerCheckpoint {
  /** Where saves go, under the run directory: {@code <job id>/chk-<checkpoint id>} below. */
  static final String STATE_DIR = "checkpoints/rl-state";

  /** The name of raft's replay buffer in the index. */
  static final String REPLAY = "trainer/replay";

  private static final Pattern OLDER_POLICY = Pattern.compile("policy-v(\\d+)/(.+)");

  private UniversalTrainerCheckpoint() {}

  /**
   * A restored save: the trainer's part (arrays of the caller's staging manager) and the older
   * policy versions by number.
   */
  record Restored(
      Path dir, TrainerCheckpoint trainer, SortedMap<Long, Map<String, NDArray>> olderPolicies) {

    /**
     * Older policy version {@code version}.
     *
     * @throws IllegalStateException when the save lacks it
     */
    Map<String, NDArray> olderPolicy(long version) {
      Map<String, NDArray> weights = olderPolicies.get(version);
      if (weights == null) {
        throw new IllegalStateException(
            "Trainer checkpoint "
                + dir
                + " lacks policy version "
                + version
                + " that batches need");
      }
      return weights;
    }
  }

  /**
   * The version directory of the trainer's save of checkpoint {@code checkpointId} of job {@code
   * job}, under the run directory {@code runDirectory} (a path or URI).
   */
  static Path saveDir(String runDirectory, String job, long checkpointId) {
    return new Path(new Path(runDirectory), STATE_DIR + "/" + job + "/chk-" + checkpointId);
  }

  /** Deletes the save {@code dir}, committed or not, through its FileSystem. */
  static void delete(Path dir) throws IOException {
    dir.getFileSystem(new Configuration()).delete(dir, true);
  }

  /** The prefix of older policy version {@code version}'s tensors. */
  static String olderPolicyPrefix(long version) {
    return "policy-v" + version + "/";
  }

  /**
   * Writes {@code trainer} and the {@code olderPolicies} by version as the version directory {@code
   * dir} on its FileSystem, replacing what an earlier attempt at it left there, and commits it with
   * {@code info}.
   *
   * @return the version's qualified URI, for the trainer's operator state
   */
  static String write(
      Path dir,
      TrainerCheckpoint trainer,
      Map<Long, Map<String, NDArray>> olderPolicies,
      CheckpointInfo info)
      throws IOException {
    Map<String, TensorBytes> tensors = new TreeMap<>();
    trainer
        .models()
        .forEach(
            (part, model) -> {
              put(tensors, part.prefix, model.weights());
              model.expAvg().forEach((n, m) -> tensors.put(expAvg(part, n), fp32(m)));
              model.expAvgSq().forEach((n, v) -> tensors.put(expAvgSq(part, n), fp32(v)));
            });
    olderPolicies.forEach((v, weights) -> put(tensors, olderPolicyPrefix(v), weights));
    byte[] replay = trainer.replay();
    if (replay.length > 0) {
      tensors.put(REPLAY, new TensorBytes(TensorDtype.U8, new long[] {replay.length}, replay));
    }
    FileSystem fs = dir.getFileSystem(new Configuration());
    fs.delete(dir, true);
    new CheckpointWriter(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES)
        .writeWhole(info, tensors);
    return fs.makeQualified(dir).toString();
  }

  /**
   * Reads the committed version at {@code uri} (file://, hdfs://) into arrays of {@code staging},
   * with the {@code counters} kept beside it.
   *
   * @throws dev.rlflow.resharding.checkpoint.UncommittedVersionException when the save was never
   *     committed (its writer died)
   * @throws dev.rlflow.resharding.checkpoint.CorruptVersionException when its bytes are damaged
   * @throws IllegalArgumentException when it holds a tensor this layout does not name
   */
  static Restored read(String uri, TrainerCheckpoint.Counters counters, NDManager staging)
      throws IOException {
    Path dir = new Path(uri);
    FileSystem fs = dir.getFileSystem(new Configuration());
    Map<String, TensorBytes> all = CheckpointReader.open(fs, dir).readAll();
    Map<Part, Map<String, TensorBytes>> weights = new EnumMap<>(Part.class);
    Map<Part, Map<String, TensorBytes>> first = new EnumMap<>(Part.class);
    Map<Part, Map<String, TensorBytes>> second = new EnumMap<>(Part.class);
    SortedMap<Long, Map<String, TensorBytes>> older = new TreeMap<>();
    byte[] replay = new byte[0];
    for (Map.Entry<String, TensorBytes> e : all.entrySet()) {
      String name = e.getKey();
      Matcher olderPolicy = OLDER_POLICY.matcher(name);
      if (name.equals(REPLAY)) {
        replay = e.getValue().toArray();
      } else if (olderPolicy.matches()) {
        older
            .computeIfAbsent(Long.parseLong(olderPolicy.group(1)), v -> new HashMap<>())
            .put(olderPolicy.group(2), e.getValue());
      } else if (!(collect(weights, name, "", e.getValue())
          || collect(first, name, CheckpointIndex.expAvg(""), e.getValue())
          || collect(second, name, CheckpointIndex.expAvgSq(""), e.getValue()))) {
        throw new IllegalArgumentException(
            "Invalid tensor " + name + " in trainer checkpoint " + dir + ": no part of its layout");
      }
    }
    Map<Part, ModelState> models = new EnumMap<>(Part.class);
    for (Map.Entry<Part, Map<String, TensorBytes>> e : weights.entrySet()) {
      Part part = e.getKey();
      models.put(
          part,
          new ModelState(
              NDArrayTensors.toArrays(e.getValue(), staging),
              NDArrayTensors.toArrays(first.getOrDefault(part, Map.of()), staging),
              NDArrayTensors.toArrays(second.getOrDefault(part, Map.of()), staging)));
    }
    SortedMap<Long, Map<String, NDArray>> olderPolicies = new TreeMap<>();
    older.forEach((v, w) -> olderPolicies.put(v, NDArrayTensors.toArrays(w, staging)));
    return new Restored(dir, new TrainerCheckpoint(models, replay, counters), olderPolicies);
  }

  /**
   * Files {@code tensor} under its part when {@code name} is {@code kind} + a part's prefix + a
   * parameter name.
   */
  private static boolean collect(
      Map<Part, Map<String, TensorBytes>> byPart, String name, String kind, TensorBytes tensor) {
    for (Part part : Part.values()) {
      String prefix = kind + part.prefix;
      if (name.startsWith(prefix)) {
        byPart
            .computeIfAbsent(part, p -> new HashMap<>())
            .put(name.substring(prefix.length()), tensor);
        return true;
      }
    }
    return false;
  }

  static String expAvg(Part part, String param) {
    return CheckpointIndex.expAvg(part.prefix + param);
  }

  static String expAvgSq(Part part, String param) {
    return CheckpointIndex.expAvgSq(part.prefix + param);
  }

  private static void put(
      Map<String, TensorBytes> tensors, String prefix, Map<String, NDArray> arrays) {
    arrays.forEach((name, array) -> tensors.put(prefix + name, fp32(array)));
  }

  /** FP32 bytes of {@code array}, so that a restore gets the training weights' bits back. */
  private static TensorBytes fp32(NDArray array) {
    long[] shape = array.getShape().getShape();
    if (array.getDataType() == DataType.FLOAT32) {
      return TensorBytes.ofFloats(shape, array.toFloatArray(), TensorDtype.F32);
    }
    try (NDArray converted = array.toType(DataType.FLOAT32, true)) {
      return TensorBytes.ofFloats(shape, converted.toFloatArray(), TensorDtype.F32);
    }
  }
}
