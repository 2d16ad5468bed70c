package dev.rlflow.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfPrecisionTest {

  @Test
  void f16KnownValuesWidenExactly() {
    assertThat(HalfPrecision.f16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
    assertThat(HalfPrecision.f16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
    assertThat(HalfPrecision.f16ToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    assertThat(HalfPrecision.f16ToFloat((short) 0x7BFF)).isEqualTo(65504f);
    assertThat(HalfPrecision.f16ToFloat((short) 0xFBFF)).isEqualTo(-65504f);
    assertThat(HalfPrecision.f16ToFloat((short) 0x0400)).isEqualTo(0x1p-14f);
    // Subnormals: k * 2^-24.
    assertThat(HalfPrecision.f16ToFloat((short) 0x0001))
        .isEqualTo(0x1p-24f)
        .isEqualTo(5.9604645e-8f);
    assertThat(HalfPrecision.f16ToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f);
    assertThat(HalfPrecision.f16ToFloat((short) 0x8001)).isEqualTo(-0x1p-24f);
    assertThat(Float.floatToRawIntBits(HalfPrecision.f16ToFloat((short) 0x8000)))
        .isEqualTo(Float.floatToRawIntBits(-0.0f));
    assertThat(HalfPrecision.f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(HalfPrecision.f16ToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(HalfPrecision.f16ToFloat((short) 0x7E00)).isNaN();
    assertThat(HalfPrecision.f16ToFloat((short) 0x7C01)).isNaN();
  }

  @Test
  void everyF16SurvivesARoundTripThroughFp32() {
    for (int h = 0; h < 0x10000; h++) {
      float f = HalfPrecision.f16ToFloat((short) h);
      short back = HalfPrecision.floatToF16(f);
      if (Float.isNaN(f)) {
        assertThat(HalfPrecision.f16ToFloat(back)).isNaN();
      } else {
        assertThat(back & 0xFFFF).as("half 0x%04x", h).isEqualTo(h);
      }
    }
  }

  @Test
  void fp32NarrowsToF16RoundingToNearestEven() {
    assertThat(f16(1 + 0x1p-11f)).isEqualTo(0x3C00); // tie, 0x3C00 is even
    assertThat(f16(1 + 3 * 0x1p-11f)).isEqualTo(0x3C02); // tie, rounds up to even
    assertThat(f16(1 + 0x1p-11f + 0x1p-20f)).isEqualTo(0x3C01); // above the tie
    assertThat(f16(65519f)).isEqualTo(0x7BFF);
    assertThat(f16(65520f)).isEqualTo(0x7C00); // tie between 65504 and 2^16: overflows
    assertThat(f16(1e10f)).isEqualTo(0x7C00);
    assertThat(f16(-1e10f)).isEqualTo(0xFC00);
    assertThat(f16(0x1p-25f)).isEqualTo(0x0000); // half the smallest subnormal: tie to even 0
    assertThat(f16(1.5f * 0x1p-25f)).isEqualTo(0x0001);
    assertThat(f16(3 * 0x1p-25f)).isEqualTo(0x0002); // tie between 1 and 2 subnormal units
    assertThat(f16(1023.5f * 0x1p-24f)).isEqualTo(0x0400); // carries into the smallest normal
    assertThat(f16(Float.MIN_VALUE)).isEqualTo(0x0000);
    assertThat(f16(-Float.MIN_VALUE)).isEqualTo(0x8000);
    assertThat(HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(Float.NaN))).isNaN();
    assertThat(HalfPrecision.f16ToFloat(HalfPrecision.floatToF16(Float.intBitsToFloat(0x7F800001))))
        .isNaN();
  }

  @Test
  void fp32NarrowsToTheNearestF16() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float f = Float.intBitsToFloat(random.nextInt());
      if (Float.isNaN(f) || Math.abs(f) > 65504f) {
        continue;
      }
      int h = f16(f);
      float error = Math.abs(f - HalfPrecision.f16ToFloat((short) h));
      // Neighbours in magnitude are the adjacent bit patterns (within the same sign).
      for (int neighbour : new int[] {h - 1, h + 1}) {
        if ((neighbour & 0x8000) == (h & 0x8000) && (neighbour & 0x7FFF) <= 0x7BFF) {
          assertThat(error)
              .as("f=%s h=0x%04x", f, h)
              .isLessThanOrEqualTo(Math.abs(f - HalfPrecision.f16ToFloat((short) neighbour)));
        }
      }
    }
  }

  @Test
  void bf16KnownValuesWidenExactly() {
    assertThat(HalfPrecision.bf16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
    assertThat(HalfPrecision.bf16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
    assertThat(HalfPrecision.bf16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(HalfPrecision.bf16ToFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(HalfPrecision.bf16ToFloat((short) 0x7FC0)).isNaN();
    assertThat(HalfPrecision.bf16ToFloat((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x10000));
    assertThat(HalfPrecision.bf16ToFloat((short) 0x3EAB)).isEqualTo(0.333984375f);
  }

  @Test
  void fp32NarrowsToBf16RoundingToNearestEven() {
    assertThat(bf16(Float.intBitsToFloat(0x3F80_8000))).isEqualTo(0x3F80); // tie, even
    assertThat(bf16(Float.intBitsToFloat(0x3F81_8000))).isEqualTo(0x3F82); // tie, up to even
    assertThat(bf16(Float.intBitsToFloat(0x3F80_8001))).isEqualTo(0x3F81);
    assertThat(bf16(Float.intBitsToFloat(0x3F80_7FFF))).isEqualTo(0x3F80);
    assertThat(bf16(Float.MAX_VALUE)).isEqualTo(0x7F80);
    assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo(0xFF80);
    assertThat(bf16(-0.0f)).isEqualTo(0x8000);
    // A NaN whose payload lies in the dropped bits stays NaN instead of rounding to infinity.
    assertThat(
            HalfPrecision.bf16ToFloat(HalfPrecision.floatToBf16(Float.intBitsToFloat(0x7F80_0001))))
        .isNaN();
    for (int b = 0; b < 0x10000; b++) {
      float f = HalfPrecision.bf16ToFloat((short) b);
      if (!Float.isNaN(f)) {
        assertThat(bf16(f)).isEqualTo(b);
      }
    }
  }

  private static int f16(float f) {
    return HalfPrecision.floatToF16(f) & 0xFFFF;
  }

  private static int bf16(float f) {
    return HalfPrecision.floatToBf16(f) & 0xFFFF;
  }
}
