package dev.rlflow.model.checkpoint;

/**
 * Conversions between FP32 and the two 16-bit floating-point formats of checkpoints, written out
 * because {@code Float.float16ToFloat} needs Java 20 and DJL cannot hold bfloat16 at all. Public
 * for the universal checkpoint's fragments (resharding), which hold the same formats.
 */
public final class HalfPrecision {
  private HalfPrecision() {}

  /** The exact FP32 value of IEEE 754 half-precision bits {@code h} (every half is an FP32). */
  public static float f16ToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1F;
    int mantissa = bits & 0x3FF;
    if (exponent == 0x1F) {
      // Infinity or NaN: keep the payload in the high mantissa bits.
      return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
    }
    if (exponent == 0) {
      // Zero or subnormal: mantissa * 2^-24, exact in FP32 (a normal number there).
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /**
   * The half-precision bits nearest to {@code f}, ties to even; beyond the largest half (65504) the
   * result is infinite and NaN stays NaN.
   */
  public static short floatToF16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xFF;
    int mantissa = bits & 0x7F_FFFF;
    if (exponent == 0xFF) {
      // Infinity, or NaN made quiet so that dropping payload bits cannot turn it into infinity.
      return (short) (sign | 0x7C00 | (mantissa == 0 ? 0 : 0x200 | (mantissa >>> 13)));
    }
    int halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (halfExponent <= 0) {
      if (halfExponent < -10) {
        // Below half the smallest subnormal (2^-25), including FP32 subnormals: rounds to zero.
        return (short) sign;
      }
      // Subnormal half: the significand with its implicit 1, shifted down to units of 2^-24.
      return (short) (sign | roundShift(mantissa | 0x80_0000, 14 - halfExponent));
    }
    // A carry out of the mantissa correctly bumps the exponent, up to infinity.
    return (short) (sign | roundShift((halfExponent << 23) | mantissa, 13));
  }

  /** The FP32 value of bfloat16 bits {@code b}: they are the high half of the FP32 bits. */
  public static float bf16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xFFFF) << 16);
  }

  /** The bfloat16 bits nearest to {@code f}, ties to even, as PyTorch rounds; NaN stays NaN. */
  public static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      // Rounding could carry a NaN with only low payload bits into infinity: make it quiet.
      return (short) ((bits >>> 16) | 0x0040);
    }
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  /** {@code value >> shift}, rounded to nearest with ties to even. */
  private static int roundShift(int value, int shift) {
    int kept = value >>> shift;
    int rest = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    return rest > half || (rest == half && (kept & 1) != 0) ? kept + 1 : kept;
  }
}
