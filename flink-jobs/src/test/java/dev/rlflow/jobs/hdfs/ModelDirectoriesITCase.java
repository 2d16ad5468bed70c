package dev.rlflow.jobs.hdfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.jobs.runner.ModelDirectories;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Checkpoint directories on a real HDFS, staged through local directories. */
class ModelDirectoriesITCase {
  @RegisterExtension static final MiniHdfs HDFS = new MiniHdfs();

  @Test
  void aSavedDirectoryReadsBackAndAReplacedOneIsReadAgain() throws Exception {
    Path target = new Path(HDFS.uri() + "/runs/r/checkpoints/sft");
    String saved =
        ModelDirectories.save(
            target,
            dir -> {
              Files.createDirectories(dir.resolve("sub"));
              Files.writeString(dir.resolve("config.json"), "first");
              Files.writeString(dir.resolve("sub/shard"), "bytes");
            });
    assertThat(saved).isEqualTo(target.toString());
    java.nio.file.Path first = ModelDirectories.local(saved);
    assertThat(Files.readString(first.resolve("config.json"))).isEqualTo("first");
    assertThat(Files.readString(first.resolve("sub/shard"))).isEqualTo("bytes");
    assertThat(ModelDirectories.local(saved)).as("downloaded once").isEqualTo(first);
    // Nothing half-uploaded is left beside it.
    assertThat(HDFS.fileSystem().listStatus(new org.apache.hadoop.fs.Path("/runs/r/checkpoints")))
        .hasSize(1);

    // The replacement's files must carry a later modification time than these.
    long written =
        HDFS.fileSystem()
            .getFileStatus(new org.apache.hadoop.fs.Path("/runs/r/checkpoints/sft/config.json"))
            .getModificationTime();
    while (System.currentTimeMillis() <= written) {
      Thread.onSpinWait();
    }
    ModelDirectories.save(target, dir -> Files.writeString(dir.resolve("config.json"), "second"));
    java.nio.file.Path second = ModelDirectories.local(saved);
    assertThat(Files.readString(second.resolve("config.json"))).isEqualTo("second");
    assertThat(second.resolve("sub")).doesNotExist();

    assertThatThrownBy(() -> ModelDirectories.local(HDFS.uri() + "/runs/r/checkpoints/none"))
        .isInstanceOf(NoSuchFileException.class);
  }
}
