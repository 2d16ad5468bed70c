package dev.rlflow.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTreeTest {

  @Test
  void deletesADirectoryWithNestedFiles(@TempDir Path tmp) throws IOException {
    Path root = tmp.resolve("save");
    Files.createDirectories(root.resolve("policy/v1"));
    Files.writeString(root.resolve("policy/v1/model.safetensors"), "x");
    Files.writeString(root.resolve("trainer.json"), "{}");
    Files.writeString(tmp.resolve("beside.txt"), "kept");

    DirectoryTree.delete(root);

    assertThat(root).doesNotExist();
    assertThat(tmp.resolve("beside.txt")).hasContent("kept");
  }

  @Test
  void aMissingDirectoryIsNothingToDo(@TempDir Path tmp) throws IOException {
    DirectoryTree.delete(tmp.resolve("absent"));

    assertThat(tmp.resolve("absent")).doesNotExist();
  }
}
