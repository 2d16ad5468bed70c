package dev.rlflow.model.tokenizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * The built-in character tokenizer of the {@code arith} task: one id per character of a fixed
 * alphabet, after five special tokens; its id table never changes between versions, because
 * checkpoints store ids.
 *
 * <table>
 *   <caption>Id table (58 ids)</caption>
 *   <tr><th>ids</th><th>tokens</th></tr>
 *   <tr><td>0..4</td><td>{@code <pad> <bos> <eos> <step> <unk>}</td></tr>
 *   <tr><td>5, 6</td><td>newline (the step separator of solutions), space</td></tr>
 *   <tr><td>7..16</td><td>{@code 0 1 2 3 4 5 6 7 8 9}</td></tr>
 *   <tr><td>17..31</td><td>{@code + - * / = , . : ( ) ? % $ # '}</td></tr>
 *   <tr><td>32..57</td><td>{@code a} to {@code z}</td></tr>
 * </table>
 *
 * <p>That is id {@code 5 + i} for the {@code i}-th character of {@link #ALPHABET}. The alphabet
 * covers every arith question ({@code start 7, +5, *3, -4}) and solution ({@code 7 + 5 = 12},
 * newline, ..., {@code answer: 32}), plus a little for GSM8K-style text in lower case ({@code /}
 * fractions, {@code ( )}, {@code ? % $}, {@code #} of {@code ####} and the apostrophe). Upper case
 * is left out on purpose, to keep the vocabulary under 64.
 *
 * <p>A model may sample anything, so nothing here throws on text: {@link #encode} maps each code
 * point outside the alphabet (upper case, tab, {@code \r}, {@code é}, an emoji) to one {@code
 * <unk>}, and {@link #decode} renders {@code <unk>} as {@code U+FFFD} when skipping special tokens;
 * {@link #canEncode} is the strict check. The special tokens are only reachable by id: the text
 * {@code "<eos>"} is five unknown or alphabet characters, never id 2. Immutable and thread-safe.
 */
public final class CharTokenizer implements Tokenizer {

  /** The characters with ids {@code 5, 6, ...} in this order; fixed forever. */
  public static final String ALPHABET = "\n 0123456789+-*/=,.:()?%$#'abcdefghijklmnopqrstuvwxyz";

  static final int PAD = 0;
  static final int BOS = 1;
  static final int EOS = 2;
  static final int STEP = 3;
  static final int UNK = 4;

  /** The names of ids 0..4, in id order. */
  static final String[] SPECIAL_TOKENS = {"<pad>", "<bos>", "<eos>", "<step>", "<unk>"};

  /** What {@code <unk>} decodes to when special tokens are skipped. */
  static final char REPLACEMENT = '\uFFFD';

  private static final int FIRST_CHAR_ID = SPECIAL_TOKENS.length;
  private static final int VOCAB_SIZE = FIRST_CHAR_ID + ALPHABET.length();

  /** Char value to id, {@code -1} outside the alphabet; the alphabet is ASCII. */
  private static final int[] IDS = new int[128];

  static {
    Arrays.fill(IDS, -1);
    for (int i = 0; i < ALPHABET.length(); i++) {
      IDS[ALPHABET.charAt(i)] = FIRST_CHAR_ID + i;
    }
  }

  /** The one and only id table; instances are interchangeable. */
  public CharTokenizer() {}

  @Override
  public int[] encode(String text) {
    Objects.requireNonNull(text, "text");
    // One id per code point, so that a character outside the BMP is one <unk>, not two.
    return text.codePoints().map(CharTokenizer::id).toArray();
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    StringBuilder text = new StringBuilder(ids.length);
    for (int id : ids) {
      checkId(id);
      if (id >= FIRST_CHAR_ID) {
        text.append(ALPHABET.charAt(id - FIRST_CHAR_ID));
      } else if (!skipSpecialTokens) {
        text.append(SPECIAL_TOKENS[id]);
      } else if (id == UNK) {
        // Unknown text was there: show that something was, rather than dropping it.
        text.append(REPLACEMENT);
      }
    }
    return text.toString();
  }

  @Override
  public String token(int id) {
    checkId(id);
    return id < FIRST_CHAR_ID
        ? SPECIAL_TOKENS[id]
        : String.valueOf(ALPHABET.charAt(id - FIRST_CHAR_ID));
  }

  /** Whether every character of {@code text} is in {@link #ALPHABET}, so encoding loses nothing. */
  public boolean canEncode(String text) {
    return text.codePoints().allMatch(c -> id(c) != UNK);
  }

  @Override
  public int vocabSize() {
    return VOCAB_SIZE;
  }

  @Override
  public int bosId() {
    return BOS;
  }

  @Override
  public int eosId() {
    return EOS;
  }

  @Override
  public int padId() {
    return PAD;
  }

  @Override
  public int stepTagId() {
    return STEP;
  }

  /** Always {@code char}, the spec {@link Tokenizers#load} reads. */
  @Override
  public String name() {
    return Tokenizers.CHAR;
  }

  @Override
  public String toString() {
    return "CharTokenizer[vocabSize=" + VOCAB_SIZE + "]";
  }

  private static int id(int codePoint) {
    int id = codePoint < IDS.length ? IDS[codePoint] : -1;
    return id < 0 ? UNK : id;
  }

  private static void checkId(int id) {
    if (id < 0 || id >= VOCAB_SIZE) {
      throw new IllegalArgumentException(
          "Invalid token id " + id + ": must be in [0, " + VOCAB_SIZE + ") for the char tokenizer");
    }
  }
}
