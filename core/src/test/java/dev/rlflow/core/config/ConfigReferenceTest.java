package dev.rlflow.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReferenceTest {

  @Test
  void readmeReferenceIsInSyncWithTheDeclarations() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    assertThat(ConfigReference.extract(readme))
        .as(
            "README.md configuration reference is stale: run ./rlflow config reference --update"
                + " README.md")
        .isEqualTo(ConfigReference.block());
  }

  @Test
  void everyKeyIsDocumented() {
    String markdown = ConfigReference.markdown();
    for (ConfigOption<?> option : ConfigSchema.options().values()) {
      assertThat(markdown).contains("| `" + option.key() + "` |");
      assertThat(option.doc()).isNotBlank();
    }
    assertThat(markdown)
        .contains(
            "| `rollout.samples_per_prompt` | integer | `4` | must be >= 1 | Responses sampled"
                + " per prompt; the group size of grpo and rloo. |");
  }

  @Test
  void updateRewritesOnlyTheBlock(@TempDir Path dir) throws IOException {
    Path readme = dir.resolve("README.md");
    Files.writeString(
        readme, "# x\n" + ConfigReference.BEGIN + "\nold\n" + ConfigReference.END + "\ntail\n");
    assertThat(ConfigReference.update(readme)).isTrue();
    String text = Files.readString(readme);
    assertThat(text).startsWith("# x\n").endsWith("\ntail\n");
    assertThat(ConfigReference.extract(text)).isEqualTo(ConfigReference.block());
    assertThat(ConfigReference.update(readme)).isFalse();
  }
}
