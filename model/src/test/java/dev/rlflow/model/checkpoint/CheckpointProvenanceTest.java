package dev.rlflow.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlflow.core.config.PolicyConfig.Architecture;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointProvenanceTest {
  private static final ModelConfig CONFIG = HfLayoutTest.config(Architecture.QWEN2, false);
  private static final Provenance PROVENANCE =
      new Provenance("quickstart-20261205", "0123456789abcdef", 42, "0.1.0-SNAPSHOT+abc");

  @TempDir Path tmp;

  @Test
  void provenanceRoundTripsBesideTheSameWeightBytes() throws IOException {
    Path plain = tmp.resolve("plain");
    Path recorded = tmp.resolve("recorded");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = HfCheckpointTest.tensors(manager, CONFIG, true, 3);

      HfCheckpoint.write(plain, CONFIG, tensors, 1L << 30);
      HfCheckpoint.write(recorded, CONFIG, tensors, 1L << 30, PROVENANCE);
    }

    assertThat(HfCheckpoint.readProvenance(recorded)).contains(PROVENANCE);
    assertThat(HfCheckpoint.readProvenance(plain)).isEmpty();
    assertThat(Files.readAllBytes(recorded.resolve(HfCheckpoint.WEIGHTS_FILE)))
        .isEqualTo(Files.readAllBytes(plain.resolve(HfCheckpoint.WEIGHTS_FILE)));
    assertThat(Files.readAllBytes(recorded.resolve(HfCheckpoint.CONFIG_FILE)))
        .isEqualTo(Files.readAllBytes(plain.resolve(HfCheckpoint.CONFIG_FILE)));
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThat(HfCheckpoint.read(recorded, manager).config()).isEqualTo(CONFIG);
    }
  }

  @Test
  void aProvenanceThatIsNotOneIsACorruptCheckpoint() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (NDManager manager = NDManager.newBaseManager()) {
      HfCheckpoint.write(
          dir, CONFIG, HfCheckpointTest.tensors(manager, CONFIG, false, 1), 1L << 30, PROVENANCE);
    }
    Path file = dir.resolve(HfCheckpoint.PROVENANCE_FILE);
    Files.writeString(file, "{\"run_id\": \"r\"}");

    assertThatThrownBy(() -> HfCheckpoint.readProvenance(dir))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessageStartingWith(file + ": not a valid provenance");
  }
}
