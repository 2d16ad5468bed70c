package dev.rlflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatestRunTest {
  @TempDir Path runs;

  private RunConfig config() {
    return RunConfigLoader.parse("run:\n  output_dir: " + runs + "\n", "test.yaml", Map.of());
  }

  @Test
  void prmNoneMeansOutcomeRewardsOnlyEvenWhenTheLatestRunHasOne() throws IOException {
    Path prm = Files.createDirectories(runs.resolve("r1/checkpoints/prm-soft"));
    Files.createSymbolicLink(runs.resolve("latest"), runs.resolve("r1"));
    assertThat(LatestRun.prm(config(), null)).hasValue(prm.toRealPath().toString());
    assertThat(LatestRun.prm(config(), "none")).isEmpty();
    assertThat(LatestRun.prm(config(), "/some/prm")).hasValue("/some/prm");
  }

  @Test
  void withoutARunThereIsNoDefaultPrm() {
    assertThat(LatestRun.prm(config(), null)).isEmpty();
  }
}
