package dev.rlflow.core.task.arith;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArithSplitTest {

  @Test
  void splitIsFnv1aOfTheQuestionModuloTen() {
    // Buckets from an independent FNV-1a implementation (Python):
    // "start 16, +1" -> 0x2110e2fa70233456, bucket 0; "start 18, +1" -> 0xca523aa48f48c9f8, 0;
    // "start 7, +5, *3, -4" -> 0xa5f25556d93bb400, 4; "start 1, *1" -> 0xc86dc02601f12785, 3.
    assertThat(ArithSplit.ofQuestion("start 16, +1")).isEqualTo(ArithSplit.TEST);
    assertThat(ArithSplit.ofQuestion("start 18, +1")).isEqualTo(ArithSplit.TEST);
    assertThat(ArithSplit.ofQuestion("start 7, +5, *3, -4")).isEqualTo(ArithSplit.TRAIN);
    assertThat(ArithSplit.ofQuestion("start 1, *1")).isEqualTo(ArithSplit.TRAIN);
  }

  @Test
  void aboutOneQuestionInTenIsTest() {
    SplittableRandom random = new SplittableRandom(1);
    int test = 0;
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      String question =
          "start " + random.nextInt(1, 1000) + ", +" + random.nextInt(1, 1000) + ", *" + i;
      if (ArithSplit.ofQuestion(question) == ArithSplit.TEST) {
        test++;
      }
    }
    // Binomial(100000, 0.1) has a standard deviation of about 95.
    assertThat(test).isBetween(9_500, 10_500);
  }
}
