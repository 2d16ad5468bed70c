package dev.rlflow.resharding.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filesystem weight store on a real HDFS (MiniDFSCluster: a NameNode and a DataNode). */
class FilesystemWeightStoreHdfsITCase {

  @Test
  void aReaderOnAnotherStoreInstanceAwaitsLoadsAndLosesRetiredVersionsOnHdfs(@TempDir Path base)
      throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    try (MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        NDManager trainer = NDManager.newBaseManager(Device.cpu())) {
      hdfs.waitActive();
      String uri = hdfs.getURI() + "/rlflow/run-1/weights";
      try (FilesystemWeightStore publisher =
              new FilesystemWeightStore(
                  hdfs.getFileSystem(),
                  new org.apache.hadoop.fs.Path(uri),
                  2,
                  FilesystemWeightStoreTest.PROVENANCE,
                  Device.cpu());
          FilesystemWeightStore rollout =
              FilesystemWeightStore.open(uri, 2, FilesystemWeightStoreTest.PROVENANCE)) {
        CompletableFuture<float[]> awaited =
            CompletableFuture.supplyAsync(
                () -> {
                  try (WeightLease lease = rollout.await(1, Duration.ofSeconds(60))) {
                    return lease.weights().tensors().get("lm_head.weight").toFloatArray();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        for (int v = 0; v < 3; v++) {
          NDArray head = trainer.arange(6f).reshape(new Shape(2, 3)).add(10 * v);
          publisher.publish(v, Map.of("lm_head.weight", head, "norm", trainer.ones(new Shape(3))));
          if (v == 1) {
            // Version 1 is read before version 2 retires version 0 (K = 2 keeps 1 and 2 anyway).
            assertThat(awaited.get(60, TimeUnit.SECONDS)).containsExactly(10, 11, 12, 13, 14, 15);
          }
        }
        assertThat(rollout.latestVersion()).hasValue(2);
        assertThat(hdfs.getFileSystem().exists(publisher.directory(0))).isFalse();
        assertThatThrownBy(() -> rollout.await(0, Duration.ofSeconds(1)))
            .isInstanceOf(VersionUnavailableException.class)
            .hasMessageStartingWith("Policy version 0 is no longer retained");
      }
    }
  }
}
