package dev.rlflow.resharding.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The universal checkpoint on a real HDFS (MiniDFSCluster: a NameNode and a DataNode). */
class UniversalCheckpointHdfsITCase {
  private static MiniDFSCluster hdfs;

  @BeforeAll
  static void startHdfs(@TempDir Path base) throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void twoRanksRoundTripThroughHdfsAndAShardReadsOnlyItsBytes() throws Exception {
    FileSystem fs = hdfs.getFileSystem();
    org.apache.hadoop.fs.Path dir =
        new org.apache.hadoop.fs.Path(hdfs.getURI() + "/rlflow/weights/v12");
    CheckpointFixture.writeTwoRanks(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);

    CheckpointReader reader = CheckpointReader.open(fs, dir);
    assertThat(reader.index().info()).isEqualTo(CheckpointFixture.INFO);
    assertThat(reader.read("w")).isEqualTo(CheckpointFixture.w());
    assertThat(reader.read("b").toFloats()).containsExactly(1.5f, -2f, 0.25f, 3f);
    assertThat(reader.verify()).isEqualTo(227);

    CountingFileSystem counting = new CountingFileSystem(fs);
    CheckpointReader shards = CheckpointReader.open(counting, dir);
    counting.bytesRead.set(0);
    assertThat(shards.read("w", TensorRegion.slice(new long[] {4, 6}, 1, 1, 3)).toFloats())
        .containsExactly(2, 3, 12, 13, 22, 23, 32, 33);
    assertThat(counting.bytesRead).hasValue(4 * 2 * 4);
  }

  @Test
  void anUncommittedVersionOnHdfsIsInvisible() throws Exception {
    FileSystem fs = hdfs.getFileSystem();
    org.apache.hadoop.fs.Path dir =
        new org.apache.hadoop.fs.Path(hdfs.getURI() + "/rlflow/weights/v13");
    new CheckpointWriter(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES)
        .writeRank(0, Map.of("w", CheckpointWriter.Fragment.whole(CheckpointFixture.w())));

    assertThatThrownBy(() -> CheckpointReader.open(fs, dir))
        .isInstanceOfSatisfying(
            UncommittedVersionException.class,
            e -> assertThat(e.reason()).isEqualTo(UncommittedVersionException.Reason.NO_MARKER))
        .hasMessageStartingWith(hdfs.getURI() + "/rlflow/weights/v13: no commit marker");
  }
}
