package dev.rlflow.jobs.rlhf;

import dev.rlflow.jobs.hdfs.MiniHdfs;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The RL trainer's save on a real HDFS: every test of {@link UniversalTrainerCheckpointTest}, with
 * the run directory an hdfs:// URI.
 */
class UniversalTrainerCheckpointHdfsITCase extends UniversalTrainerCheckpointTest {
  @RegisterExtension static final MiniHdfs HDFS = new MiniHdfs();

  @Override
  org.apache.hadoop.fs.Path versionDir() {
    return UniversalTrainerCheckpoint.saveDir(HDFS.uri() + "/runs/run", "job", 3);
  }
}
