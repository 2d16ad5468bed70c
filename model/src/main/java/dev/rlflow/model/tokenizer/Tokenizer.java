package dev.rlflow.model.tokenizer;

/**
 * Converts between text and token ids for a policy, a critic and the process reward model; ids are
 * dense in {@code [0, vocabSize())}.
 *
 * <p>Special tokens are never added by {@link #encode}: callers place {@link #bosId()}, {@link
 * #eosId()}, {@link #padId()} and {@link #stepTagId()} by id. Whether the literal text of a special
 * token inside the input (say {@code "</s>"}) encodes to that token depends on the implementation:
 * {@link CharTokenizer} never does, {@link HfTokenizer} does (Hugging Face matches added tokens in
 * the text). Every method that takes ids rejects an id outside {@code [0, vocabSize())} with an
 * {@link IllegalArgumentException}, so a model whose output layer is wider than the vocabulary must
 * mask the extra logits before sampling.
 *
 * <p>Implementations are thread-safe until {@link #close()}; close a tokenizer only after every
 * thread has stopped using it.
 */
public interface Tokenizer extends AutoCloseable {

  /**
   * The ids of {@code text}, without any special token added at either end.
   *
   * @throws NullPointerException if {@code text} is null
   */
  int[] encode(String text);

  /**
   * The text of {@code ids} with special tokens skipped; same as {@code decode(ids, true)}.
   *
   * @throws IllegalArgumentException if an id lies outside {@code [0, vocabSize())}
   */
  default String decode(int[] ids) {
    return decode(ids, true);
  }

  /**
   * The text of {@code ids}; special tokens (pad, bos, eos and, when it is a dedicated token, the
   * step tag) are left out when {@code skipSpecialTokens}, else rendered by their names.
   *
   * @throws IllegalArgumentException if an id lies outside {@code [0, vocabSize())}
   */
  String decode(int[] ids, boolean skipSpecialTokens);

  /**
   * The text of one id decoded on its own, special tokens rendered by their names (for example
   * {@code "<eos>"}); for stop strings and reports.
   *
   * <p>Concatenating {@code token(id)} over a sequence need not give {@link #decode(int[])} of it:
   * a decoder may depend on context (a byte-level piece of a multi-byte character decodes to {@code
   * U+FFFD} alone; a sentencepiece word marker at the start loses its space).
   *
   * @throws IllegalArgumentException if {@code id} lies outside {@code [0, vocabSize())}
   */
  String token(int id);

  /** The number of ids, one more than the largest id; the model's embedding needs at least this. */
  int vocabSize();

  /** The id a prompt starts with. */
  int bosId();

  /** The id that ends a sequence: generation stops after sampling it. */
  int eosId();

  /** The id that fills positions after the end of shorter sequences of a batch; may equal eos. */
  int padId();

  /**
   * The id that marks the end of a reasoning step: the process reward model scores a solution at
   * the positions holding this id.
   */
  int stepTagId();

  /** What this tokenizer was loaded from, for reports: {@code char} or a tokenizer.json path. */
  String name();

  /** Frees native resources; a tokenizer must not be used after it is closed. Never throws. */
  @Override
  default void close() {}
}
