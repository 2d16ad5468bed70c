package dev.rlflow.core.task.arith;

import java.nio.charset.StandardCharsets;

/**
 * The split a problem belongs to, decided by its question text alone so that train and test are
 * disjoint by construction, whatever seeds the generators use.
 *
 * <p>A question is in {@link #TEST} iff the 64-bit FNV-1a hash of its UTF-8 bytes, read as an
 * unsigned number, is 0 modulo 10 (about 10 % of the problem space), else in {@link #TRAIN}. The
 * hash is fixed here rather than taken from {@link String#hashCode()} so that the assignment is a
 * documented function of the text that any other implementation can reproduce.
 */
public enum ArithSplit {
  TRAIN,
  TEST;

  private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final int BUCKETS = 10;

  /** The split that owns a problem with this canonical question text. */
  public static ArithSplit ofQuestion(String question) {
    long hash = FNV_OFFSET_BASIS;
    for (byte b : question.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= FNV_PRIME;
    }
    return Long.remainderUnsigned(hash, BUCKETS) == 0 ? TEST : TRAIN;
  }
}
