package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.jobs.runner.RunContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightStoresTest {

  @Test
  void aRunDirectoryWithoutASchemeKeepsItsWeightsOnTheLocalFilesystem(@TempDir Path dir) {
    String run = dir.resolve("run-1").toString(); // a bare path, as run.output_dir often is
    assertThat(WeightStores.weightsUri(new RunContext("", "test", run)))
        .isEqualTo("file:" + dir.resolve("run-1/weights"));
  }
}
