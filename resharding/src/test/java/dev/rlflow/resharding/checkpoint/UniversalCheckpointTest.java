package dev.rlflow.resharding.checkpoint;

import static dev.rlflow.resharding.checkpoint.CheckpointFixture.BIAS_BF16;
import static dev.rlflow.resharding.checkpoint.CheckpointFixture.HALF_F16;
import static dev.rlflow.resharding.checkpoint.CheckpointFixture.MASK_U8;
import static dev.rlflow.resharding.checkpoint.CheckpointFixture.MOMENT;
import static dev.rlflow.resharding.checkpoint.CheckpointFixture.STEPS_I64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.resharding.checkpoint.CorruptVersionException.Reason;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The universal checkpoint on file:// (Hadoop's LocalFileSystem, as a user's run gets it). */
class UniversalCheckpointTest {
  @TempDir java.nio.file.Path tmp;

  private FileSystem fs;
  private java.nio.file.Path local;
  private Path dir;

  @BeforeEach
  void setUp() throws IOException {
    fs = FileSystem.getLocal(new Configuration());
    local = tmp.resolve("v12");
    dir = new Path(local.toUri());
  }

  @Test
  void twoRanksRoundTripEveryDtypeConsolidated() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);

    // One fragment file per rank (flattened buckets), then the index and the marker.
    assertThat(Arrays.stream(fs.listStatus(dir)).map(s -> s.getPath().getName()))
        .filteredOn(name -> !name.startsWith("."))
        .containsExactlyInAnyOrder(
            "rank-00000-000.safetensors", "rank-00001-000.safetensors", "index.json", "_COMMITTED");
    CheckpointReader reader = CheckpointReader.open(fs, dir);
    assertThat(reader.index().info()).isEqualTo(CheckpointFixture.INFO);
    assertThat(reader.index().tensors().keySet())
        .containsExactly("b", "h", "mask", "optimizer/exp_avg/w", "steps", "w");
    assertThat(reader.read("w")).isEqualTo(CheckpointFixture.w());
    assertThat(reader.read(MOMENT))
        .isEqualTo(CheckpointFixture.f32(new long[] {4, 6}, (r, c) -> -(10 * r + c)));
    assertThat(reader.read("b").toArray()).isEqualTo(BIAS_BF16);
    assertThat(reader.read("b").toFloats()).containsExactly(1.5f, -2f, 0.25f, 3f);
    assertThat(reader.read("h").toArray()).isEqualTo(HALF_F16);
    assertThat(reader.read("h").toFloats()).containsExactly(0.5f, 1f, -1f, 2f);
    assertThat(reader.read("h").shape()).containsExactly(2, 2);
    assertThat(reader.read("steps"))
        .isEqualTo(new TensorBytes(TensorDtype.I64, new long[] {2}, STEPS_I64));
    assertThat(reader.read("mask"))
        .isEqualTo(new TensorBytes(TensorDtype.U8, new long[] {3}, MASK_U8));
    // 96 (w) + 96 (moment) + 8 (b) + 8 (h) + 16 (steps) + 3 (mask) bytes of tensors.
    assertThat(reader.index().totalBytes()).isEqualTo(227);
    assertThat(reader.verify()).isEqualTo(227);
  }

  @Test
  void capOnFileBytesSplitsARanksBucketIntoSeveralFiles() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, 50);

    // Rank 0 in name order: b 4 + moment 16 (20), steps 16 (36), w 48 (new file); rank 1: b 4, h 8,
    // mask 3, moment 80 (new file), w 48 (new file).
    assertThat(Arrays.stream(fs.listStatus(dir)).map(s -> s.getPath().getName()))
        .filteredOn(name -> name.startsWith("rank-"))
        .containsExactlyInAnyOrder(
            "rank-00000-000.safetensors",
            "rank-00000-001.safetensors",
            "rank-00001-000.safetensors",
            "rank-00001-001.safetensors",
            "rank-00001-002.safetensors");
    assertThat(CheckpointReader.open(fs, dir).read("w")).isEqualTo(CheckpointFixture.w());
  }

  @Test
  void aShardOfATargetLayoutReadsOnlyTheBytesOfOverlappingFragments() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    CountingFileSystem counting = new CountingFileSystem(fs);
    CheckpointReader reader = CheckpointReader.open(counting, dir);
    long[] shape = {4, 6};

    counting.bytesRead.set(0);
    // Tensor-parallel rank 0 of 2 along dim 0: rows 0-1, exactly rank 0's fragment of w.
    assertThat(reader.read("w", TensorRegion.slice(shape, 0, 0, 2)))
        .isEqualTo(CheckpointFixture.wRows(0, 2));
    assertThat(counting.bytesRead).hasValue(2 * 6 * 4);

    counting.bytesRead.set(0);
    // Rank 1 of 3 along dim 1: columns 2-3 of every row, from both fragments.
    assertThat(reader.read("w", TensorRegion.slice(shape, 1, 1, 3)).toFloats())
        .containsExactly(2, 3, 12, 13, 22, 23, 32, 33);
    assertThat(counting.bytesRead).hasValue(4 * 2 * 4);

    counting.bytesRead.set(0);
    // Rows 1-2 straddle the two fragments: one row of each.
    TensorRegion straddle = new TensorRegion(new long[] {1, 0}, new long[] {2, 6});
    assertThat(reader.read("w", straddle)).isEqualTo(CheckpointFixture.wRows(1, 3));
    assertThat(counting.bytesRead).hasValue(2 * 6 * 4);

    counting.bytesRead.set(0);
    // The moment is split by columns (1 | 5): rows 2-3 read 2 elements of rank 0, 10 of rank 1.
    assertThat(reader.read(MOMENT, TensorRegion.slice(shape, 0, 1, 2)).toFloats())
        .containsExactly(-20, -21, -22, -23, -24, -25, -30, -31, -32, -33, -34, -35);
    assertThat(counting.bytesRead).hasValue(12 * 4);
  }

  @Test
  void aVersionWithoutItsMarkerIsInvisible() throws IOException {
    CheckpointWriter writer =
        new CheckpointWriter(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    List<CheckpointWriter.Written> written =
        writer.writeRank(0, Map.of("w", CheckpointWriter.Fragment.whole(CheckpointFixture.w())));

    assertThatThrownBy(() -> CheckpointReader.open(fs, dir))
        .isInstanceOfSatisfying(
            UncommittedVersionException.class,
            e -> assertThat(e.reason()).isEqualTo(UncommittedVersionException.Reason.NO_MARKER))
        .hasMessageContaining(dir.toUri().getPath())
        .hasMessageContaining("no commit marker _COMMITTED");

    writer.commit(CheckpointFixture.INFO, written);
    assertThat(CheckpointReader.open(fs, dir).read("w")).isEqualTo(CheckpointFixture.w());
    assertThatThrownBy(() -> writer.commit(CheckpointFixture.INFO, written))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void noSuchVersionIsNamed() {
    assertThatThrownBy(() -> CheckpointReader.open(fs, new Path(dir, "absent")))
        .isInstanceOfSatisfying(
            UncommittedVersionException.class,
            e ->
                assertThat(e.reason())
                    .isEqualTo(UncommittedVersionException.Reason.NO_SUCH_VERSION))
        .hasMessageContaining("absent: no such version directory");
  }

  @Test
  void anIndexOtherThanTheCommittedOneIsInvisible() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    String index = Files.readString(local.resolve("index.json"));
    overwrite("index.json", index.replace("\"policy_version\" : 12", "\"policy_version\" : 13"));

    assertThatThrownBy(() -> CheckpointReader.open(fs, dir))
        .isInstanceOfSatisfying(
            UncommittedVersionException.class,
            e ->
                assertThat(e.reason())
                    .isEqualTo(UncommittedVersionException.Reason.MARKER_MISMATCH))
        .hasMessageContaining("the index is not the one committed");
  }

  @Test
  void aFlippedByteFailsTheFragmentsCrc32c() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    long begin = fragment("w", 1).begin();
    byte[] file = Files.readAllBytes(local.resolve("rank-00001-000.safetensors"));
    file[(int) begin + 5] ^= 1;
    overwrite("rank-00001-000.safetensors", file);

    CheckpointReader reader = CheckpointReader.open(fs, dir);
    assertCorrupt(() -> reader.read("w"), Reason.CHECKSUM_MISMATCH, "rank-00001-000", "w")
        .hasMessageContaining("have CRC32C");
    assertCorrupt(reader::verify, Reason.CHECKSUM_MISMATCH, "rank-00001-000", "w");
    // Rank 0's fragment alone is intact and still loads.
    assertThat(reader.read("w", TensorRegion.slice(new long[] {4, 6}, 0, 0, 2)))
        .isEqualTo(CheckpointFixture.wRows(0, 2));
  }

  @Test
  void localFilesCarryNoHadoopChecksumFilesTheFragmentsCrc32cGuardsThem() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    try (var files = Files.list(local)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".crc"));
    }
    java.nio.file.Path file = local.resolve("rank-00001-000.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);

    assertCorrupt(
        () -> CheckpointReader.open(fs, dir).verify(),
        Reason.CHECKSUM_MISMATCH,
        "rank-00001-000",
        null);
  }

  @Test
  void aTruncatedFragmentFileIsNamed() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    long end = fragment("w", 0).end();
    try (FileChannel channel =
        FileChannel.open(local.resolve("rank-00000-000.safetensors"), StandardOpenOption.WRITE)) {
      channel.truncate(end - 1);
    }

    assertCorrupt(
            () -> CheckpointReader.open(fs, dir).read("w"),
            Reason.TRUNCATED,
            "rank-00000-000",
            null)
        .hasMessageContaining("bytes ends before the fragment");
  }

  @Test
  void anAbsentFragmentFileIsNamed() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    fs.delete(new Path(dir, "rank-00001-000.safetensors"), false);

    assertCorrupt(
            () -> CheckpointReader.open(fs, dir).read("h"),
            Reason.MISSING_FILE,
            "rank-00001-000",
            null)
        .hasMessageContaining("fragment file named by the index is absent");
  }

  @Test
  void aMalformedIndexIsNamedWithItsField() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    recommit("{\"format\": \"rlflow-universal-checkpoint\", \"version\": 1}");
    assertCorrupt(() -> CheckpointReader.open(fs, dir), Reason.MALFORMED_INDEX, "index.json", null)
        .hasMessageContaining("index.provenance is missing");

    recommit("{\"format\": ");
    assertCorrupt(() -> CheckpointReader.open(fs, dir), Reason.MALFORMED_INDEX, "index.json", null)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void fragmentsThatDoNotTileTheGlobalShapeAreNamed() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    ObjectMapper json = new ObjectMapper();
    ObjectNode index = (ObjectNode) json.readTree(local.resolve("index.json").toFile());
    // Rank 1's rows of w start at row 1 instead of 2: they overlap rank 0's, and row 3 is bare.
    ArrayNode offsets = (ArrayNode) index.at("/tensors/w/fragments").get(1).get("offsets");
    offsets.set(0, 1);
    recommit(json.writeValueAsString(index));

    assertCorrupt(() -> CheckpointReader.open(fs, dir), Reason.NOT_TILED, "index.json", "w")
        .hasMessageContaining("overlaps");
  }

  @Test
  void aFragmentHeaderThatDisagreesWithTheIndexFailsVerify() throws IOException {
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    String name = "rank-00001-000.safetensors";
    byte[] file = Files.readAllBytes(local.resolve(name));
    String head = new String(file, 8, 200, StandardCharsets.ISO_8859_1);
    int at = 8 + head.indexOf("\"F16\"");
    file[at + 2] = '3'; // "F36": no dtype of the format, same length
    overwrite(name, file);

    CheckpointReader reader = CheckpointReader.open(fs, dir);
    assertThat(reader.read("h").toArray()).isEqualTo(HALF_F16); // data bytes are intact
    assertCorrupt(reader::verify, Reason.MALFORMED_HEADER, name, "h")
        .hasMessageContaining("disagrees with the index");

    Files.write(local.resolve(name), new byte[] {1, 2, 3});
    assertCorrupt(reader::verify, Reason.TRUNCATED, name, null);
  }

  @Test
  void writerRefusesFragmentsThatDoNotTile() throws IOException {
    CheckpointWriter writer =
        new CheckpointWriter(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);
    List<CheckpointWriter.Written> rank0 =
        writer.writeRank(
            0,
            Map.of(
                "w",
                new CheckpointWriter.Fragment(
                    new long[] {4, 6}, new long[] {0, 0}, CheckpointFixture.wRows(0, 2))));

    assertThatThrownBy(() -> writer.commit(CheckpointFixture.INFO, rank0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor w: fragments cover 12 of the 24 elements of shape [4, 6]");
    assertThat(fs.exists(new Path(dir, CheckpointWriter.MARKER_FILE))).isFalse();
  }

  private FragmentEntry fragment(String tensor, int rank) throws IOException {
    return CheckpointReader.open(fs, dir).index().tensors().get(tensor).fragments().stream()
        .filter(f -> f.rank() == rank)
        .findFirst()
        .orElseThrow();
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertCorrupt(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
      Reason reason,
      String file,
      String tensor) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            CorruptVersionException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.uri()).startsWith("file:/").contains(file);
              if (tensor != null) {
                assertThat(e.tensor()).contains(tensor);
              }
            })
        .hasMessageContaining(file);
  }

  /** Replaces a file of the version by hand. */
  private void overwrite(String name, byte[] bytes) throws IOException {
    Files.write(local.resolve(name), bytes);
  }

  private void overwrite(String name, String text) throws IOException {
    overwrite(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Replaces the index and writes a marker that commits it, as a buggy writer might. */
  private void recommit(String index) throws IOException {
    byte[] bytes = index.getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    overwrite("index.json", bytes);
    overwrite("_COMMITTED", "{\"index_crc32c\": " + crc.getValue() + "}");
  }
}
