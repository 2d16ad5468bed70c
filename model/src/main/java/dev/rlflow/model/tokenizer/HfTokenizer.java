package dev.rlflow.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A tokenizer read from a local {@code tokenizer.json} in the Hugging Face tokenizers format,
 * through DJL's native Hugging Face tokenizer; nothing is downloaded.
 *
 * <p>The file's own truncation and padding settings are switched off: {@link #encode} returns every
 * id of the text, whatever its length. The special ids come from {@link SpecialTokenNames}: for
 * each role the first name that resolves wins, where a name resolves to, in this order, an added
 * token with exactly that content, a vocabulary entry with exactly that content, or else the single
 * id that its text encodes to when that id is not the model's unknown token (this is how the
 * newline of a byte-level BPE, stored as {@code "Ċ"}, or of a sentencepiece model, {@code
 * "<0x0A>"}, is found). Pad falls back to eos when none of its names resolves.
 *
 * <p>{@link #vocabSize()} is one more than the largest id of the vocabulary and the added tokens;
 * an id in a gap of the file's numbering decodes to the empty string. {@link #decode} skips the
 * added tokens marked {@code "special": true}, so a step tag that is a plain newline stays in
 * decoded text. Thread-safe until {@link #close()}; must be closed, as it holds a native tokenizer.
 *
 * <p>Long because resolving each special role across the layouts of byte-level BPE, sentencepiece
 * and plain vocabularies (the rules above) takes half of it.
 */
public final class HfTokenizer implements Tokenizer {

  /** The file a directory given to {@link #load} must hold. */
  public static final String FILE_NAME = "tokenizer.json";

  /**
   * The token names to look for, per special role, in order of preference.
   *
   * @param bos names of the begin-of-sequence token, at least one
   * @param eos names of the end-of-sequence token, at least one
   * @param pad names of the padding token, possibly none: pad falls back to eos
   * @param stepTag names (or texts, such as {@code "\n"}) of the step tag, at least one
   */
  public record SpecialTokenNames(
      List<String> bos, List<String> eos, List<String> pad, List<String> stepTag) {

    public SpecialTokenNames {
      bos = requireNames("bos", bos, false);
      eos = requireNames("eos", eos, false);
      pad = requireNames("pad", pad, true);
      stepTag = requireNames("stepTag", stepTag, false);
    }

    /**
     * Names used by common model families: Llama 2 and Mistral ({@code <s> </s>}), GPT-2 and Qwen2
     * ({@code <|endoftext|>}, {@code <|im_end|>}), Llama 3 ({@code <|begin_of_text|>}, {@code
     * <|end_of_text|>}, {@code <|eot_id|>}) and the project's own files ({@code <bos> <eos> <pad>
     * <step>}); the step tag falls back to the newline token.
     */
    public static SpecialTokenNames defaults() {
      return new SpecialTokenNames(
          List.of("<s>", "<bos>", "<|begin_of_text|>", "<|endoftext|>"),
          List.of("</s>", "<eos>", "<|endoftext|>", "<|end_of_text|>", "<|im_end|>", "<|eot_id|>"),
          List.of("<pad>", "<|pad|>", "[PAD]"),
          List.of("<step>", "\n"));
    }

    private static List<String> requireNames(String role, List<String> names, boolean mayBeEmpty) {
      if (names == null || names.stream().anyMatch(n -> n == null || n.isEmpty())) {
        throw new IllegalArgumentException(
            "Invalid value " + names + " for " + role + " token names: must hold no null or empty");
      }
      if (names.isEmpty() && !mayBeEmpty) {
        throw new IllegalArgumentException(
            "Invalid value [] for " + role + " token names: must name at least one token");
      }
      return List.copyOf(names);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final int bosId;
  private final int eosId;
  private final int padId;
  private final int stepTagId;

  /**
   * Lazily filled cache of {@link #token}: an unsynchronized array is safe because Strings are
   * immutable, so a racing thread sees either null (and decodes again) or a complete String.
   */
  private final String[] tokens;

  private HfTokenizer(
      Path file,
      HuggingFaceTokenizer tokenizer,
      int vocabSize,
      int bosId,
      int eosId,
      int padId,
      int stepTagId) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
    this.bosId = bosId;
    this.eosId = eosId;
    this.padId = padId;
    this.stepTagId = stepTagId;
    this.tokens = new String[vocabSize];
  }

  /** Same as {@link #load(Path, SpecialTokenNames)} with {@link SpecialTokenNames#defaults()}. */
  public static HfTokenizer load(Path path) throws IOException {
    return load(path, SpecialTokenNames.defaults());
  }

  /**
   * Loads the tokenizer.json at {@code path}, or the one inside the directory {@code path}.
   *
   * @throws IllegalArgumentException if the file does not exist, is not a valid tokenizer.json, or
   *     a special role has no name that resolves; the message names the file and the names tried
   * @throws IOException if the file cannot be read
   */
  public static HfTokenizer load(Path path, SpecialTokenNames names) throws IOException {
    Objects.requireNonNull(names, "names");
    boolean directory = Files.isDirectory(path);
    Path file = (directory ? path.resolve(FILE_NAME) : path).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "Tokenizer file not found: "
              + file
              + (directory ? " (the directory " + path + " holds no " + FILE_NAME + ")" : ""));
    }
    byte[] bytes = Files.readAllBytes(file);
    Vocabulary vocabulary = Vocabulary.parse(file, bytes);

    // Load the native library first, so that a platform problem is reported as what it is and not
    // as a bad file below.
    LibUtils.checkStatus();
    HuggingFaceTokenizer tokenizer;
    try {
      // Off: DJL's defaults (special tokens added, truncation to 512, padding), and whatever
      // truncation and padding the file sets.
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              new ByteArrayInputStream(bytes),
              Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Invalid tokenizer file " + file + ": the Hugging Face tokenizer rejects it: " + e, e);
    }
    try {
      Resolver resolver = new Resolver(file, vocabulary, tokenizer);
      int bos = resolver.require("bos", names.bos());
      int eos = resolver.require("eos", names.eos());
      int pad = resolver.find(names.pad());
      int stepTag = resolver.require("stepTag", names.stepTag());
      return new HfTokenizer(
          file, tokenizer, vocabulary.size(), bos, eos, pad < 0 ? eos : pad, stepTag);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  @Override
  public int[] encode(String text) {
    Objects.requireNonNull(text, "text");
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] result = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      result[i] = Math.toIntExact(ids[i]);
    }
    return result;
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] longIds = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      longIds[i] = checkId(ids[i]);
    }
    return tokenizer.decode(longIds, skipSpecialTokens);
  }

  @Override
  public String token(int id) {
    String token = tokens[checkId(id)];
    if (token == null) {
      token = tokenizer.decode(new long[] {id}, false);
      tokens[id] = token;
    }
    return token;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int bosId() {
    return bosId;
  }

  @Override
  public int eosId() {
    return eosId;
  }

  @Override
  public int padId() {
    return padId;
  }

  @Override
  public int stepTagId() {
    return stepTagId;
  }

  /** The absolute path of the tokenizer.json. */
  @Override
  public String name() {
    return file.toString();
  }

  /** Frees the native tokenizer; idempotent. */
  @Override
  public void close() {
    tokenizer.close();
  }

  @Override
  public String toString() {
    return "HfTokenizer[" + file + ", vocabSize=" + vocabSize + "]";
  }

  private int checkId(int id) {
    if (id < 0 || id >= vocabSize) {
      throw new IllegalArgumentException(
          "Invalid token id " + id + ": must be in [0, " + vocabSize + ") for " + file);
    }
    return id;
  }

  /**
   * What tokenizer.json says about ids, which DJL does not expose: the added tokens, the model's
   * vocabulary and its unknown token.
   *
   * @param size one more than the largest id of the vocabulary and the added tokens
   * @param unkId the id of the model's unknown token, -1 if it has none
   */
  private record Vocabulary(
      Map<String, Integer> addedTokens, Map<String, Integer> modelVocab, int size, int unkId) {

    static Vocabulary parse(Path file, byte[] json) {
      JsonNode root;
      try {
        root = JSON.readTree(json);
      } catch (JacksonException e) {
        throw new IllegalArgumentException(
            "Invalid tokenizer file " + file + ": not JSON: " + e.getOriginalMessage(), e);
      } catch (IOException e) {
        throw new IllegalArgumentException("Invalid tokenizer file " + file + ": " + e, e);
      }
      JsonNode model = root == null ? null : root.get("model");
      if (model == null || !model.isObject()) {
        throw new IllegalArgumentException(
            "Invalid tokenizer file " + file + ": no \"model\" object, not a tokenizer.json");
      }
      Map<String, Integer> vocab = modelVocab(file, model);
      Map<String, Integer> added = new HashMap<>();
      JsonNode addedTokens = root.path("added_tokens");
      for (JsonNode token : addedTokens) {
        added.putIfAbsent(token.path("content").asText(), token.path("id").asInt());
      }
      int size = 0;
      for (int id : vocab.values()) {
        size = Math.max(size, id + 1);
      }
      for (int id : added.values()) {
        size = Math.max(size, id + 1);
      }
      JsonNode unk = model.get("unk_token");
      int unkId = -1;
      if (unk != null && unk.isTextual()) {
        unkId = vocab.getOrDefault(unk.asText(), added.getOrDefault(unk.asText(), -1));
      } else if (model.has("unk_id") && model.get("unk_id").isInt()) {
        unkId = model.get("unk_id").asInt(); // Unigram names its unknown piece by index.
      }
      return new Vocabulary(Map.copyOf(added), vocab, size, unkId);
    }

    /** WordLevel, WordPiece and BPE map token to id; Unigram lists [piece, score] in id order. */
    private static Map<String, Integer> modelVocab(Path file, JsonNode model) {
      JsonNode vocab = model.get("vocab");
      Map<String, Integer> ids = new HashMap<>();
      if (vocab != null && vocab.isObject()) {
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
          ids.put(entry.getKey(), entry.getValue().asInt());
        }
      } else if (vocab != null && vocab.isArray()) {
        for (int id = 0; id < vocab.size(); id++) {
          ids.putIfAbsent(vocab.get(id).path(0).asText(), id);
        }
      } else {
        throw new IllegalArgumentException(
            "Invalid tokenizer file "
                + file
                + ": model of type "
                + model.path("type").asText("?")
                + " has no \"vocab\" object or array");
      }
      return ids;
    }
  }

  /** Finds special ids by name, with the rule of the class comment. */
  private record Resolver(Path file, Vocabulary vocabulary, HuggingFaceTokenizer tokenizer) {

    int require(String role, List<String> names) {
      int id = find(names);
      if (id < 0) {
        throw new IllegalArgumentException(
            "No "
                + role
                + " token in "
                + file
                + ": tried "
                + names.stream().map(Resolver::quoted).collect(Collectors.joining(", "))
                + " as added tokens, vocabulary entries and single-token texts;"
                + " name the token the file uses in the "
                + role
                + " names");
      }
      return id;
    }

    /** The id of the first name that resolves, or -1. */
    int find(List<String> names) {
      for (String name : names) {
        Integer id = vocabulary.addedTokens().get(name);
        if (id == null) {
          id = vocabulary.modelVocab().get(name);
        }
        if (id == null) {
          long[] encoded = tokenizer.encode(name, false, false).getIds();
          if (encoded.length == 1 && encoded[0] != vocabulary.unkId()) {
            id = Math.toIntExact(encoded[0]);
          }
        }
        if (id != null) {
          return id;
        }
      }
      return -1;
    }

    private static String quoted(String name) {
      return "\"" + name.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }
  }
}
