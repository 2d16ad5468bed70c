package dev.rlflow.resharding.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The universal checkpoint on a real HDFS (MiniDFSCluster: a NameNode and a DataNode). */
class UniversalCheckpointHdfsITCase {

  @Test
  void versionsRoundTripThroughHdfsShardsReadOnlyTheirBytesUncommittedOnesStayInvisible(
      @TempDir Path base) throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    try (MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build()) {
      hdfs.waitActive();
      FileSystem fs = hdfs.getFileSystem();
      String weights = hdfs.getURI() + "/rlflow/weights";
      org.apache.hadoop.fs.Path committed = new org.apache.hadoop.fs.Path(weights + "/v12");
      CheckpointFixture.writeTwoRanks(fs, committed, CheckpointWriter.DEFAULT_MAX_FILE_BYTES);

      CheckpointReader reader = CheckpointReader.open(fs, committed);
      assertThat(reader.index().info()).isEqualTo(CheckpointFixture.INFO);
      assertThat(reader.read("w")).isEqualTo(CheckpointFixture.w());
      assertThat(reader.read("b").toFloats()).containsExactly(1.5f, -2f, 0.25f, 3f);
      assertThat(reader.verify()).isEqualTo(227);

      CountingFileSystem counting = new CountingFileSystem(fs);
      CheckpointReader shards = CheckpointReader.open(counting, committed);
      counting.bytesRead.set(0);
      assertThat(shards.read("w", TensorRegion.slice(new long[] {4, 6}, 1, 1, 3)).toFloats())
          .containsExactly(2, 3, 12, 13, 22, 23, 32, 33);
      assertThat(counting.bytesRead).hasValue(4 * 2 * 4);

      org.apache.hadoop.fs.Path unfinished = new org.apache.hadoop.fs.Path(weights + "/v13");
      new CheckpointWriter(fs, unfinished, CheckpointWriter.DEFAULT_MAX_FILE_BYTES)
          .writeRank(0, Map.of("w", CheckpointWriter.Fragment.whole(CheckpointFixture.w())));
      assertThatThrownBy(() -> CheckpointReader.open(fs, unfinished))
          .isInstanceOfSatisfying(
              UncommittedVersionException.class,
              e -> assertThat(e.reason()).isEqualTo(UncommittedVersionException.Reason.NO_MARKER))
          .hasMessageStartingWith(weights + "/v13: no commit marker");
    }
  }
}
