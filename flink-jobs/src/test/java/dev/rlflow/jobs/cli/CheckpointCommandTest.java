package dev.rlflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.checkpoint.HfCheckpoint;
import dev.rlflow.model.checkpoint.HfLayout;
import dev.rlflow.model.checkpoint.LoadedCheckpoint;
import dev.rlflow.resharding.checkpoint.CheckpointIndex;
import dev.rlflow.resharding.checkpoint.CheckpointInfo;
import dev.rlflow.resharding.checkpoint.CheckpointWriter;
import dev.rlflow.resharding.checkpoint.CheckpointWriter.Fragment;
import dev.rlflow.resharding.checkpoint.TensorBytes;
import dev.rlflow.resharding.checkpoint.TensorDtype;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rlflow checkpoint inspect|verify|convert} on a version written by two ranks. */
class CheckpointCommandTest {
  private static final ModelConfig MODEL =
      new ModelConfig(PolicyConfig.Architecture.LLAMA, 11, 8, 1, 2, 1, 16, 32, 10_000, 1e-6, true);
  private static final Provenance PROVENANCE = new Provenance("run-3", "beef02", 3, "0.1.0+test");
  private static final String EMBED = HfLayout.EMBED_TOKENS;

  @TempDir Path tmp;

  /** Element i of every tensor: (i mod 7) / 4 - 0.5, exact in BF16 and FP32. */
  private static float value(int i) {
    return (i % 7) / 4f - 0.5f;
  }

  /** {@code count} values from element {@code from} on, little-endian in {@code dtype}. */
  private static byte[] encoded(int from, int count, TensorDtype dtype) {
    ByteBuffer out = ByteBuffer.allocate(count * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from; i < from + count; i++) {
      if (dtype == TensorDtype.BF16) {
        out.putShort((short) (Float.floatToIntBits(value(i)) >>> 16)); // exact: low bits are 0
      } else {
        out.putFloat(value(i));
      }
    }
    return out.array();
  }

  /**
   * Writes version 5 of the tiny model: the embeddings in BF16 split by rows over two ranks, the
   * other weights whole in FP32 on rank 0, and one Adam moment.
   */
  private org.apache.hadoop.fs.Path writeVersion(Optional<ModelConfig> model) throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(tmp.resolve("v5").toUri());
    CheckpointWriter writer =
        new CheckpointWriter(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    Map<String, Fragment> rank0 = new TreeMap<>();
    HfLayout.expectedShapes(MODEL)
        .forEach(
            (name, shape) -> {
              long[] dims = shape.getShape();
              rank0.put(
                  name,
                  Fragment.whole(
                      new TensorBytes(
                          TensorDtype.F32, dims, encoded(0, (int) shape.size(), TensorDtype.F32))));
            });
    long[] embed = {11, 8};
    rank0.put(
        EMBED,
        new Fragment(
            embed,
            new long[] {0, 0},
            new TensorBytes(
                TensorDtype.BF16, new long[] {6, 8}, encoded(0, 48, TensorDtype.BF16))));
    rank0.put(
        CheckpointIndex.expAvgSq(HfLayout.FINAL_NORM),
        Fragment.whole(
            new TensorBytes(TensorDtype.F32, new long[] {8}, encoded(0, 8, TensorDtype.F32))));
    List<CheckpointWriter.Written> written = new ArrayList<>(writer.writeRank(0, rank0));
    written.addAll(
        writer.writeRank(
            1,
            Map.of(
                EMBED,
                new Fragment(
                    embed,
                    new long[] {6, 0},
                    new TensorBytes(
                        TensorDtype.BF16, new long[] {5, 8}, encoded(48, 40, TensorDtype.BF16))))));
    writer.commit(new CheckpointInfo(PROVENANCE, 5, model), written);
    return dir;
  }

  @Test
  void inspectPrintsTheIndex() throws IOException {
    String uri = writeVersion(Optional.of(MODEL)).toString();

    CliRun run = CliRun.of("checkpoint", "inspect", uri);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(uri + ": rlflow-universal-checkpoint version 1, committed")
        .contains("run run-3, config hash beef02, seed 3, policy version 5, code 0.1.0+test")
        .contains("model: ModelConfig[architecture=LLAMA, vocabSize=11")
        .contains(EMBED + " BF16 [11, 8], 2 fragments")
        .contains("rank 1 rank-00001-000.safetensors bytes [")
        .contains("offsets [6, 0] shape [5, 8]")
        .contains("optimizer/exp_avg_sq/model.norm.weight F32 [8], 1 fragments");
  }

  @Test
  void verifyExitsWithTwoAndTheNamedProblemOnceAByteFlips() throws IOException {
    String uri = writeVersion(Optional.of(MODEL)).toString();
    CliRun intact = CliRun.of("checkpoint", "verify", uri);
    assertThat(intact.exitCode()).as(intact.err()).isZero();
    assertThat(intact.out()).contains("intact");

    Path fragment = tmp.resolve("v5/rank-00001-000.safetensors");
    byte[] bytes = Files.readAllBytes(fragment);
    bytes[bytes.length - 1] ^= 1;
    Files.write(fragment, bytes);

    CliRun damaged = CliRun.of("checkpoint", "verify", uri);
    assertThat(damaged.exitCode()).isEqualTo(2);
    assertThat(damaged.err())
        .contains("checkpoint verify: ")
        .contains("rank-00001-000.safetensors: tensor " + EMBED)
        .contains("have CRC32C");
  }

  @Test
  void aMissingVersionExitsWithTwo() {
    CliRun run = CliRun.of("checkpoint", "inspect", tmp.resolve("nothing").toUri().toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("nothing: no such version directory");
  }

  @Test
  void convertWritesAHuggingFaceDirectoryThatHfCheckpointLoads() throws IOException {
    String uri = writeVersion(Optional.of(MODEL)).toString();
    Path hf = tmp.resolve("hf");

    CliRun run = CliRun.of("checkpoint", "convert", uri, "--to", hf.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("(1 optimizer or other tensors left out)");
    assertThat(HfCheckpoint.readProvenance(hf)).contains(PROVENANCE);
    try (NDManager manager = NDManager.newBaseManager()) {
      LoadedCheckpoint loaded = HfCheckpoint.read(hf, manager);
      assertThat(loaded.config()).isEqualTo(MODEL);
      assertThat(loaded.tensors().keySet())
          .containsExactlyInAnyOrderElementsOf(HfLayout.expectedShapes(MODEL).keySet());
      assertThat(loaded.tensors().get(EMBED).getShape()).isEqualTo(new Shape(11, 8));
      float[] embed = loaded.tensors().get(EMBED).toFloatArray();
      for (int i = 0; i < embed.length; i++) {
        assertThat(embed[i]).as("embedding element %d", i).isEqualTo(value(i));
      }
      assertThat(loaded.tensors().get(HfLayout.FINAL_NORM).toFloatArray())
          .containsExactly(-0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f, 1f, -0.5f);
    }
  }

  @Test
  void convertRefusesAVersionWithoutModelConfig() throws IOException {
    String uri = writeVersion(Optional.empty()).toString();

    CliRun run = CliRun.of("checkpoint", "convert", uri, "--to", tmp.resolve("hf").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("the index carries no model config");
  }
}
