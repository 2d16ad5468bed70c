package dev.rlflow.jobs.rlhf;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RL trainer's save on a real HDFS (MiniDFSCluster): every test of {@link
 * UniversalTrainerCheckpointTest}, with the run directory an hdfs:// URI.
 */
class UniversalTrainerCheckpointHdfsITCase extends UniversalTrainerCheckpointTest {
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

  @Override
  org.apache.hadoop.fs.Path versionDir() {
    return UniversalTrainerCheckpoint.saveDir(hdfs.getURI() + "/runs/run", "job", 3);
  }
}
