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
  void docsReferenceIsInSyncWithTheDeclarations() throws IOException {
    String document =
        Files.readString(Path.of("..", "docs", "configuration.md"), StandardCharsets.UTF_8);
    assertThat(ConfigReference.extract(document))
        .as(
            "docs/configuration.md is stale: run ./rlflow config reference --update"
                + " docs/configuration.md")
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
    Path document = dir.resolve("configuration.md");
    Files.writeString(
        document, "# x\n" + ConfigReference.BEGIN + "\nold\n" + ConfigReference.END + "\ntail\n");
    assertThat(ConfigReference.update(document)).isTrue();
    String text = Files.readString(document);
    assertThat(text).startsWith("# x\n").endsWith("\ntail\n");
    assertThat(ConfigReference.extract(text)).isEqualTo(ConfigReference.block());
    assertThat(ConfigReference.update(document)).isFalse();
  }
}
