package dev.rlflow.jobs.hdfs;

import dev.rlflow.model.checkpoint.DirectoryTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HDFS (MiniDFSCluster: a NameNode and one DataNode in this JVM) for the tests of one class:
 * register it as a static {@code @RegisterExtension} field; it starts before the first test and
 * stops, deleting its storage, after the last.
 */
public final class MiniHdfs implements BeforeAllCallback, AfterAllCallback {
  private Path base;
  private MiniDFSCluster cluster;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    base = Files.createTempDirectory("mini-hdfs");
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (cluster != null) {
      cluster.shutdown();
    }
    if (base != null) {
      DirectoryTree.delete(base);
    }
  }

  /** The filesystem's URI, {@code hdfs://localhost:<port>}. */
  public String uri() {
    return cluster.getURI().toString();
  }

  /** A client of the filesystem. */
  public FileSystem fileSystem() throws IOException {
    return cluster.getFileSystem();
  }
}
