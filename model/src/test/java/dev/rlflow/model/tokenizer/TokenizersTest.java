package dev.rlflow.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {

  @TempDir Path dir;

  @Test
  void charIsTheBuiltInCharacterTokenizer() throws IOException {
    try (Tokenizer tokenizer = Tokenizers.load("char")) {
      assertThat(tokenizer).isInstanceOf(CharTokenizer.class);
      assertThat(tokenizer.name()).isEqualTo("char");
    }
  }

  @Test
  void aPathIsATokenizerJson() throws IOException {
    Path file = TokenizerJsonFiles.wordLevel(dir.resolve("tok.json"));
    try (Tokenizer tokenizer = Tokenizers.load(file.toString())) {
      assertThat(tokenizer).isInstanceOf(HfTokenizer.class);
      assertThat(tokenizer.name()).isEqualTo(file.toAbsolutePath().toString());
      assertThat(tokenizer.encode("hello world")).containsExactly(20, 21);
    }
  }

  @Test
  void aDirectoryIsTheTokenizerJsonInside() throws IOException {
    TokenizerJsonFiles.byteLevelBpe(dir.resolve("tokenizer.json"));
    try (Tokenizer tokenizer = Tokenizers.load(dir.toString())) {
      assertThat(tokenizer.name())
          .isEqualTo(dir.resolve("tokenizer.json").toAbsolutePath().toString());
      assertThat(tokenizer.vocabSize()).isEqualTo(263);
    }
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("missing").resolve("tokenizer.json");
    assertThatThrownBy(() -> Tokenizers.load(missing.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Tokenizer file not found: " + missing.toAbsolutePath());
  }

  @Test
  void aBlankSpecIsRejected() {
    assertThatThrownBy(() -> Tokenizers.load(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid tokenizer spec ' ': must be 'char' or the path of a tokenizer.json or of a"
                + " directory holding one");
    assertThatThrownBy(() -> Tokenizers.load(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Tokenizers.load("a\0b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid tokenizer spec 'a\0b': not a path");
  }
}
