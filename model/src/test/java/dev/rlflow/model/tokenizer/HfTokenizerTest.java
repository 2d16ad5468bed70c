package dev.rlflow.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.task.arith.ArithGenerator;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.ArithSpec;
import dev.rlflow.core.task.arith.ArithSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {

  @TempDir Path dir;

  @Test
  void wordLevelEncodesAnArithProblemToExactIds() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.load(TokenizerJsonFiles.wordLevel(file()))) {
      assertThat(tokenizer.encode("start 7, +5, *3, -4"))
          .containsExactly(5, 13, 8, 9, 14, 8, 11, 16, 8, 10, 18);
      int[] solution = tokenizer.encode("7 + 5 = 12\n12 * 3 = 36\n36 - 4 = 32\nanswer: 32");
      assertThat(solution)
          .containsExactly(13, 9, 14, 12, 15, 15, 11, 16, 12, 17, 17, 10, 18, 12, 19, 6, 7, 19);
      // No decoder in the file: Hugging Face joins the tokens with spaces.
      assertThat(tokenizer.decode(solution))
          .isEqualTo("7 + 5 = 12 12 * 3 = 36 36 - 4 = 32 answer : 32");
      assertThat(tokenizer.encode("hello there")).containsExactly(20, 0);
      assertThat(tokenizer.encode("")).isEmpty();
    }
  }

  @Test
  void wordLevelSpecialTokensComeFromTheAddedTokens() throws IOException {
    Path file = TokenizerJsonFiles.wordLevel(file());
    try (HfTokenizer tokenizer = HfTokenizer.load(file)) {
      assertThat(tokenizer.bosId()).isEqualTo(1);
      assertThat(tokenizer.eosId()).isEqualTo(2);
      assertThat(tokenizer.padId()).isEqualTo(3);
      assertThat(tokenizer.stepTagId()).isEqualTo(4);
      assertThat(tokenizer.vocabSize()).isEqualTo(5 + TokenizerJsonFiles.WORDS.size());
      assertThat(tokenizer.name()).isEqualTo(file.toAbsolutePath().toString());
      assertThat(tokenizer.token(4)).isEqualTo("<step>");
      assertThat(tokenizer.token(20)).isEqualTo("hello");
    }
  }

  @Test
  void encodeAddsNoSpecialTokensButMatchesThemInTheTextAndDecodeSkipsThem() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.load(TokenizerJsonFiles.wordLevel(file()))) {
      assertThat(tokenizer.encode("hello <step> world")).containsExactly(20, 4, 21);

      int[] ids = {1, 20, 4, 21, 2, 3};
      assertThat(tokenizer.decode(ids)).isEqualTo("hello world");
      assertThat(tokenizer.decode(ids, false)).isEqualTo("<s> hello <step> world </s> <pad>");
    }
  }

  @Test
  void encodeNeverTruncatesWhateverDjlOrTheFileSay() throws IOException {
    // DJL truncates to 512 tokens by default; this file asks for 4.
    ObjectNode truncation =
        new ObjectMapper()
            .createObjectNode()
            .put("direction", "Right")
            .put("max_length", 4)
            .put("strategy", "LongestFirst")
            .put("stride", 0);
    Path file =
        TokenizerJsonFiles.wordLevel(
            file(), List.of("<unk>", "<s>", "</s>", "<pad>", "<step>"), truncation);
    try (HfTokenizer tokenizer = HfTokenizer.load(file)) {
      assertThat(tokenizer.encode("hello ".repeat(1000))).hasSize(1000).containsOnly(20);
    }
  }

  @Test
  void aMissingSpecialTokenNamesTheFileAndTheNamesTried() throws IOException {
    Path noEos = TokenizerJsonFiles.wordLevel(file(), List.of("<unk>", "<s>"), null);
    assertThatThrownBy(() -> HfTokenizer.load(noEos))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "No eos token in "
                + noEos.toAbsolutePath()
                + ": tried \"</s>\", \"<eos>\", \"<|endoftext|>\", \"<|end_of_text|>\","
                + " \"<|im_end|>\", \"<|eot_id|>\" as added tokens");

    // The whitespace pre-tokenizer drops a newline, so the step tag has no fallback here.
    Path noStep =
        TokenizerJsonFiles.wordLevel(dir.resolve("b.json"), List.of("<unk>", "<s>", "</s>"), null);
    assertThatThrownBy(() -> HfTokenizer.load(noStep))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "No stepTag token in " + noStep.toAbsolutePath() + ": tried \"<step>\", \"\\n\" as");
  }

  @Test
  void configuredNamesAreUsedAndPadFallsBackToEos() throws IOException {
    Path file = TokenizerJsonFiles.wordLevel(file());
    HfTokenizer.SpecialTokenNames names =
        new HfTokenizer.SpecialTokenNames(
            List.of("hello"), List.of("world"), List.of(), List.of(":"));
    try (HfTokenizer tokenizer = HfTokenizer.load(file, names)) {
      assertThat(tokenizer.bosId()).isEqualTo(20);
      assertThat(tokenizer.eosId()).isEqualTo(21);
      assertThat(tokenizer.padId()).isEqualTo(21);
      assertThat(tokenizer.stepTagId()).isEqualTo(7);
    }

    HfTokenizer.SpecialTokenNames unknown =
        new HfTokenizer.SpecialTokenNames(
            List.of("<|bos|>"), List.of("</s>"), List.of(), List.of("<step>"));
    assertThatThrownBy(() -> HfTokenizer.load(file, unknown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No bos token in " + file.toAbsolutePath() + ": tried \"<|bos|>\"");
  }

  @Test
  void specialTokenNamesAreValidated() {
    assertThatThrownBy(
            () ->
                new HfTokenizer.SpecialTokenNames(
                    List.of("<s>"), List.of(), List.of(), List.of("\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value [] for eos token names: must name at least one token");
    assertThatThrownBy(
            () ->
                new HfTokenizer.SpecialTokenNames(
                    List.of("<s>"), List.of("</s>"), List.of(""), List.of("\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("for pad token names");
  }

  @Test
  void byteLevelBpeMergesWordsAndFindsTheNewlineAsStepTag() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.load(TokenizerJsonFiles.byteLevelBpe(file()))) {
      assertThat(tokenizer.vocabSize()).isEqualTo(263);
      assertThat(tokenizer.encode(" answer")).containsExactly(261);
      assertThat(tokenizer.encode("answer: 32")).containsExactly(260, ':', ' ', '3', '2');
      assertThat(tokenizer.token(261)).isEqualTo(" answer");
      assertThat(tokenizer.token('\n')).isEqualTo("\n");
      assertThat(tokenizer.token(262)).isEqualTo("<|endoftext|>");
      // Half of a two-byte character decodes to the replacement character on its own.
      assertThat(tokenizer.token(0xC3)).isEqualTo("\uFFFD");

      assertThat(tokenizer.stepTagId()).isEqualTo('\n');
      assertThat(tokenizer.bosId()).isEqualTo(262);
      assertThat(tokenizer.eosId()).isEqualTo(262);
      assertThat(tokenizer.padId()).isEqualTo(262);

      assertThat(tokenizer.decode(new int[] {261, 262})).isEqualTo(" answer");
      assertThat(tokenizer.decode(new int[] {261, 262}, false)).isEqualTo(" answer<|endoftext|>");
    }
  }

  @Test
  void byteLevelBpeRoundTripsArithTextsAndAnyUnicode() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.load(TokenizerJsonFiles.byteLevelBpe(file()))) {
      for (ArithProblem problem :
          new ArithGenerator(ArithSpec.defaults(), ArithSplit.TRAIN, 3).generate(200)) {
        for (String text : List.of(problem.question(), problem.referenceSolution())) {
          assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
        }
      }
      String unicode = "Héllo\twörld \uD83D\uDE42\r\n";
      int[] ids = tokenizer.encode(unicode);
      assertThat(ids).hasSize(unicode.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
      assertThat(tokenizer.decode(ids)).isEqualTo(unicode);
    }
  }

  @Test
  void idsOutsideTheVocabularyAreRejected() throws IOException {
    Path file = TokenizerJsonFiles.wordLevel(file());
    try (HfTokenizer tokenizer = HfTokenizer.load(file)) {
      assertThatThrownBy(() -> tokenizer.decode(new int[] {20, 22}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid token id 22: must be in [0, 22) for " + file.toAbsolutePath());
      assertThatThrownBy(() -> tokenizer.token(-1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() throws IOException {
    HfTokenizer tokenizer = HfTokenizer.load(TokenizerJsonFiles.wordLevel(file()));
    tokenizer.close();
    tokenizer.close();

    assertThatThrownBy(() -> tokenizer.encode("hello")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void loadsFromADirectoryHoldingTokenizerJson() throws IOException {
    TokenizerJsonFiles.wordLevel(dir.resolve("model").resolve(HfTokenizer.FILE_NAME));
    try (HfTokenizer tokenizer = HfTokenizer.load(dir.resolve("model"))) {
      assertThat(tokenizer.name())
          .isEqualTo(dir.resolve("model").resolve("tokenizer.json").toAbsolutePath().toString());
    }
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> HfTokenizer.load(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Tokenizer file not found: " + missing.toAbsolutePath());
    assertThatThrownBy(() -> HfTokenizer.load(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Tokenizer file not found: "
                + dir.resolve("tokenizer.json").toAbsolutePath()
                + " (the directory "
                + dir
                + " holds no tokenizer.json)");
  }

  @Test
  void aFileThatIsNoTokenizerJsonIsRejectedWithItsName() throws IOException {
    Path notJson = Files.writeString(dir.resolve("a.json"), "{ not json");
    assertThatThrownBy(() -> HfTokenizer.load(notJson))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Invalid tokenizer file " + notJson.toAbsolutePath() + ": not JSON");

    Path noModel = Files.writeString(dir.resolve("b.json"), "{\"version\": \"1.0\"}");
    assertThatThrownBy(() -> HfTokenizer.load(noModel))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid tokenizer file "
                + noModel.toAbsolutePath()
                + ": no \"model\" object, not a tokenizer.json");

    Path badModel =
        Files.writeString(
            dir.resolve("c.json"),
            "{\"version\": \"1.0\", \"model\": {\"type\": \"WordLevel\", \"vocab\": {\"a\": 0},"
                + " \"unk_token\": 7}}");
    assertThatThrownBy(() -> HfTokenizer.load(badModel))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Invalid tokenizer file "
                + badModel.toAbsolutePath()
                + ": the Hugging Face tokenizer rejects it");
  }

  private Path file() {
    return dir.resolve("tokenizer.json");
  }
}
