package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.jobs.cli.CliRun;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import dev.rlflow.model.checkpoint.LoadedCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.resharding.checkpoint.CheckpointIndex;
import dev.rlflow.resharding.checkpoint.CheckpointInfo;
import dev.rlflow.resharding.checkpoint.CheckpointReader;
import dev.rlflow.resharding.checkpoint.CheckpointWriter;
import dev.rlflow.resharding.checkpoint.UncommittedVersionException;
import dev.rlflow.training.rl.TrainerCheckpoint;
import dev.rlflow.training.rl.TrainerCheckpoint.ModelState;
import dev.rlflow.training.rl.TrainerCheckpoint.Part;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An RL trainer's save as one universal checkpoint on the local filesystem: round trip, refusal of
 * an uncommitted one, pruning, conversion of its policy. UniversalTrainerCheckpointHdfsITCase runs
 * the same on HDFS.
 */
class UniversalTrainerCheckpointTest {
  private static final ModelConfig MODEL =
      new ModelConfig(PolicyConfig.Architecture.LLAMA, 8, 16, 1, 2, 1, 32, 16, 10_000, 1e-5, true);
  private static final Provenance PROVENANCE = new Provenance("run-7", "c0ffee", 7, "0.1.0+test");
  private static final TrainerCheckpoint.Counters COUNTERS =
      new TrainerCheckpoint.Counters(5, 40, 38, 0.0625);
  private static final byte[] REPLAY = {0, 0, 0, 2, 0, 0, 0, 0, -1, 7};

  @TempDir Path tmp;
  private FileSystem fs;
  private org.apache.hadoop.fs.Path dir;
  private TransformerModel policy;
  private TransformerModel critic;
  private TransformerModel older;

  /** Where the save goes: checkpoint 3's under a run directory in {@link #tmp}. */
  org.apache.hadoop.fs.Path versionDir() {
    return UniversalTrainerCheckpoint.saveDir(tmp.resolve("run").toString(), "job", 3);
  }

  @BeforeEach
  void models() throws IOException {
    dir = versionDir();
    fs = dir.getFileSystem(new Configuration());
    policy = model(TransformerModel.Head.LM, 1);
    critic = model(TransformerModel.Head.VALUE, 2);
    older = model(TransformerModel.Head.LM, 3);
  }

  @AfterEach
  void close() {
    older.close();
    critic.close();
    policy.close();
  }

  @Test
  void restoreReadsBackPolicyCriticMomentsOlderVersionsAndReplayBitForBit() throws IOException {
    TrainerCheckpoint saved = saved();
    String uri = write(saved);
    assertThat(uri)
        .startsWith(fs.getUri().getScheme() + ":")
        .endsWith("/run/checkpoints/rl-state/job/chk-3");

    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      UniversalTrainerCheckpoint.Restored restored =
          UniversalTrainerCheckpoint.read(uri, COUNTERS, staging);
      Map<Part, ModelState> models = restored.trainer().models();
      assertThat(models.keySet()).containsExactly(Part.POLICY, Part.CRITIC);
      for (Part part : Part.values()) {
        ModelState expected = saved.models().get(part);
        ModelState actual = models.get(part);
        assertBitIdentical(actual.weights(), expected.weights());
        assertBitIdentical(actual.expAvg(), expected.expAvg());
        assertBitIdentical(actual.expAvgSq(), expected.expAvgSq());
      }
      assertThat(restored.olderPolicies().keySet()).containsExactly(4L);
      assertBitIdentical(restored.olderPolicies().get(4L), older.weights());
      assertThat(restored.trainer().replay()).containsExactly(REPLAY);
      assertThat(restored.trainer().counters()).isEqualTo(COUNTERS);
    }
    CheckpointIndex index = CheckpointReader.open(fs, dir).index();
    assertThat(index.info()).isEqualTo(new CheckpointInfo(PROVENANCE, 5, Optional.of(MODEL)));
    String param = policy.weights().keySet().iterator().next();
    assertThat(index.tensors())
        .containsKeys(
            "policy/" + param,
            "critic/" + param,
            "policy-v4/" + param,
            "optimizer/exp_avg/policy/" + param,
            "optimizer/exp_avg_sq/critic/" + param,
            "trainer/replay");
  }

  @Test
  void aSaveWhoseWriterDiedBeforeTheMarkerIsRefused() throws IOException {
    write(saved());
    // what a crash between the fragments and the marker leaves behind
    fs.delete(new org.apache.hadoop.fs.Path(dir, CheckpointWriter.MARKER_FILE), false);

    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      assertThatThrownBy(() -> UniversalTrainerCheckpoint.read(dir.toString(), COUNTERS, staging))
          .isInstanceOf(UncommittedVersionException.class)
          .hasMessageContaining("no commit marker _COMMITTED: the version is not committed")
          .extracting(e -> ((UncommittedVersionException) e).reason())
          .isEqualTo(UncommittedVersionException.Reason.NO_MARKER);
    }
  }

  @Test
  void aSaveIsWrittenAgainOverAnUncommittedAttemptAtTheSameId() throws IOException {
    write(saved());
    fs.delete(new org.apache.hadoop.fs.Path(dir, CheckpointWriter.MARKER_FILE), false);

    write(saved());

    assertThat(CheckpointReader.open(fs, dir).verify()).isPositive();
  }

  @Test
  void aPrunedSaveIsGone() throws IOException {
    write(saved());

    UniversalTrainerCheckpoint.delete(dir);

    assertThat(fs.exists(dir)).isFalse();
  }

  @Test
  void convertWithPrefixWritesThePolicyAsAHuggingFaceDirectory() throws IOException {
    write(saved());
    Path hf = tmp.resolve("hf");

    CliRun run =
        CliRun.of("checkpoint", "convert", dir.toString(), "--prefix", "policy/", "--to", "" + hf);

    assertThat(run.exitCode()).as(run.err()).isZero();
    try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
      LoadedCheckpoint loaded = HfCheckpoint.read(hf, staging);
      assertThat(loaded.config()).isEqualTo(MODEL);
      assertBitIdentical(loaded.tensors(), policy.weights());
    }
    assertThat(HfCheckpoint.readProvenance(hf)).contains(PROVENANCE);
  }

  @Test
  void convertWithoutPrefixNamesTheModelsToPickFrom() throws IOException {
    write(saved());

    CliRun run =
        CliRun.of("checkpoint", "convert", dir.toString(), "--to", tmp.resolve("hf").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "Invalid value '' for --prefix: "
                + dir
                + " holds several models [critic/, policy-v4/, policy/, trainer/]: pick one with"
                + " --prefix");
  }

  /**
   * The save of a ppo trainer at version 5 with staleness 1: the models' weights, moments made from
   * them (a quarter of each weight, its square), version 4 and a replay buffer's bytes.
   */
  private TrainerCheckpoint saved() {
    Map<Part, ModelState> models = new EnumMap<>(Part.class);
    models.put(Part.POLICY, state(policy));
    models.put(Part.CRITIC, state(critic));
    return new TrainerCheckpoint(models, REPLAY, COUNTERS);
  }

  private ModelState state(TransformerModel model) {
    Map<String, NDArray> first = new LinkedHashMap<>();
    Map<String, NDArray> second = new LinkedHashMap<>();
    model
        .weights()
        .forEach(
            (name, w) -> {
              first.put(name, w.mul(0.25f));
              second.put(name, w.mul(w));
            });
    return new ModelState(model.weights(), first, second);
  }

  private String write(TrainerCheckpoint saved) throws IOException {
    return UniversalTrainerCheckpoint.write(
        dir,
        saved,
        Map.of(4L, older.weights()),
        new CheckpointInfo(PROVENANCE, 5, Optional.of(MODEL)));
  }

  private static TransformerModel model(TransformerModel.Head head, long seed) {
    return TransformerModel.create(MODEL, head, DataType.FLOAT32, Device.cpu(), seed);
  }

  private static void assertBitIdentical(Map<String, NDArray> actual, Map<String, NDArray> saved) {
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(saved.keySet());
    for (String name : new TreeMap<>(saved).keySet()) {
      assertThat(actual.get(name).getShape()).as(name).isEqualTo(saved.get(name).getShape());
      float[] expected = saved.get(name).toFloatArray();
      float[] read = actual.get(name).toFloatArray();
      assertThat(read.length).as(name).isEqualTo(expected.length);
      for (int i = 0; i < expected.length; i++) {
        assertThat(Float.floatToRawIntBits(read[i]))
            .as("%s[%d]", name, i)
            .isEqualTo(Float.floatToRawIntBits(expected[i]));
      }
    }
  }
}
