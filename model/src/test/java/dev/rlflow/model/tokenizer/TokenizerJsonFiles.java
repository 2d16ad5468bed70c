package dev.rlflow.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small tokenizer.json files in the Hugging Face tokenizers format, written by the tests. */
final class TokenizerJsonFiles {

  /** The words of {@link #wordLevel}, with ids 5, 6, ... after the five special tokens. */
  static final List<String> WORDS =
      List.of(
          "start", "answer", ":", ",", "+", "-", "*", "=", "7", "5", "12", "3", "36", "4", "32",
          "hello", "world");

  /** The merges of {@link #byteLevelBpe}, whose results get ids 256, 257, ... in this order. */
  static final List<String> MERGES = List.of("a n", "s w", "e r", "an sw", "answ er", "Ġ answer");

  private static final ObjectMapper JSON = new ObjectMapper();

  private TokenizerJsonFiles() {}

  /**
   * A word-level tokenizer with a whitespace pre-tokenizer: {@code <unk>}=0, {@code <s>}=1, {@code
   * </s>}=2, {@code <pad>}=3, {@code <step>}=4 (all special added tokens), then {@link #WORDS}.
   */
  static Path wordLevel(Path file) throws IOException {
    return wordLevel(file, List.of("<unk>", "<s>", "</s>", "<pad>", "<step>"), null);
  }

  /**
   * A word-level tokenizer with {@code specials} as ids 0.. (the first is the unknown token), then
   * {@link #WORDS}; {@code truncation} is the file's truncation object or null.
   */
  static Path wordLevel(Path file, List<String> specials, ObjectNode truncation)
      throws IOException {
    ObjectNode vocab = JSON.createObjectNode();
    ArrayNode added = JSON.createArrayNode();
    for (String special : specials) {
      added.add(addedToken(vocab.size(), special));
      vocab.put(special, vocab.size());
    }
    for (String word : WORDS) {
      vocab.put(word, vocab.size());
    }
    ObjectNode model = JSON.createObjectNode().put("type", "WordLevel");
    model.set("vocab", vocab);
    model.put("unk_token", specials.get(0));
    ObjectNode root = root(added, model, truncation);
    root.set("pre_tokenizer", JSON.createObjectNode().put("type", "Whitespace"));
    root.putNull("decoder");
    return write(file, root);
  }

  /**
   * A GPT-2 style byte-level BPE: byte {@code b} has id {@code b} (its printable stand-in from
   * {@link #byteToUnicode}, so newline is {@code "Ċ"}), the {@link #MERGES} results have ids
   * 256..261 ({@code "Ġanswer"} is 261), and {@code <|endoftext|>}=262 is the only added token.
   */
  static Path byteLevelBpe(Path file) throws IOException {
    ObjectNode vocab = JSON.createObjectNode();
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(byteToUnicode(b)), b);
    }
    ArrayNode merges = JSON.createArrayNode();
    for (String merge : MERGES) {
      merges.add(merge);
      vocab.put(merge.replace(" ", ""), vocab.size());
    }
    ArrayNode added = JSON.createArrayNode().add(addedToken(vocab.size(), "<|endoftext|>"));
    ObjectNode model =
        JSON.createObjectNode()
            .put("type", "BPE")
            .putNull("dropout")
            .putNull("unk_token")
            .putNull("continuing_subword_prefix")
            .putNull("end_of_word_suffix")
            .put("fuse_unk", false)
            .put("byte_fallback", false)
            .put("ignore_merges", false);
    model.set("vocab", vocab);
    model.set("merges", merges);
    ObjectNode root = root(added, model, null);
    root.set("pre_tokenizer", byteLevel());
    root.set("decoder", byteLevel());
    return write(file, root);
  }

  /**
   * GPT-2's reversible map from a byte to a printable character: printable Latin-1 bytes stand for
   * themselves, the others (control characters, space, ...) for 256, 257, ... in byte order.
   */
  static char byteToUnicode(int b) {
    boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
    if (printable) {
      return (char) b;
    }
    int n = 0;
    for (int other = 0; other < b; other++) {
      boolean otherPrintable =
          (other >= '!' && other <= '~') || (other >= 0xA1 && other <= 0xAC) || (other >= 0xAE);
      if (!otherPrintable) {
        n++;
      }
    }
    return (char) (256 + n);
  }

  private static ObjectNode root(ArrayNode added, ObjectNode model, ObjectNode truncation) {
    ObjectNode root = JSON.createObjectNode().put("version", "1.0");
    if (truncation == null) {
      root.putNull("truncation");
    } else {
      root.set("truncation", truncation);
    }
    root.putNull("padding");
    root.set("added_tokens", added);
    root.putNull("normalizer");
    root.putNull("post_processor");
    root.set("model", model);
    return root;
  }

  private static ObjectNode addedToken(int id, String content) {
    return JSON.createObjectNode()
        .put("id", id)
        .put("content", content)
        .put("single_word", false)
        .put("lstrip", false)
        .put("rstrip", false)
        .put("normalized", false)
        .put("special", true);
  }

  private static ObjectNode byteLevel() {
    return JSON.createObjectNode()
        .put("type", "ByteLevel")
        .put("add_prefix_space", false)
        .put("trim_offsets", true)
        .put("use_regex", true);
  }

  private static Path write(Path file, ObjectNode root) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    return file;
  }
}
