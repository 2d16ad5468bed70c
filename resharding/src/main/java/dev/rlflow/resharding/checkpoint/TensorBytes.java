package dev.rlflow.resharding.checkpoint;

import dev.rlflow.model.checkpoint.HalfPrecision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as the universal checkpoint stores it, without DJL: its element type, its shape and its
 * elements' bytes, little-endian in C order, exactly as a safetensors file holds them.
 *
 * @param dtype the element type
 * @param shape the dimensions (empty for a scalar)
 * @param data {@code product(shape) * dtype.bytes} bytes; not copied, so the caller must not change
 *     them afterwards
 */
public record TensorBytes(TensorDtype dtype, long[] shape, byte[] data) {

  public TensorBytes {
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    long expected = Math.multiplyExact(TensorRegion.volume(shape), dtype.bytes);
    if (data.length != expected) {
      throw new IllegalArgumentException(
          "Invalid value "
              + data.length
              + " for data length: shape "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + expected
              + " bytes");
    }
  }

  /**
   * {@code values} of shape {@code shape} stored as {@code dtype} (F32, F64, or F16 and BF16
   * rounded to nearest even).
   *
   * @throws IllegalArgumentException when {@code dtype} is not one of those, or the lengths differ
   */
  public static TensorBytes ofFloats(long[] shape, float[] values, TensorDtype dtype) {
    if (!dtype.widensToFloat) {
      throw new IllegalArgumentException(
          "Invalid value " + dtype + " for dtype: floats are stored as F32, F64, F16 or BF16");
    }
    ByteBuffer out =
        ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (dtype == TensorDtype.F32) {
      out.asFloatBuffer().put(values); // in bulk: the common case, several times faster
      return new TensorBytes(dtype, shape, out.array());
    }
    for (float value : values) {
      switch (dtype) {
        case F32 -> out.putFloat(value);
        case F64 -> out.putDouble(value);
        case F16 -> out.putShort(HalfPrecision.floatToF16(value));
        case BF16 -> out.putShort(HalfPrecision.floatToBf16(value));
        default -> throw new AssertionError(dtype);
      }
    }
    return new TensorBytes(dtype, shape, out.array());
  }

  /**
   * The elements as FP32: exact for F32, F16 and BF16 (both are FP32 subsets), F64 rounded.
   *
   * @throws IllegalStateException when the dtype is not F32, F64, F16 or BF16
   */
  public float[] toFloats() {
    if (!dtype.widensToFloat) {
      throw new IllegalStateException(dtype + " elements are not read as floats");
    }
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[data.length / dtype.bytes];
    if (dtype == TensorDtype.F32) {
      in.asFloatBuffer().get(values);
      return values;
    }
    for (int i = 0; i < values.length; i++) {
      values[i] =
          switch (dtype) {
            case F32 -> in.getFloat();
            case F64 -> (float) in.getDouble();
            case F16 -> HalfPrecision.f16ToFloat(in.getShort());
            case BF16 -> HalfPrecision.bf16ToFloat(in.getShort());
            default -> throw new AssertionError(dtype);
          };
    }
    return values;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorBytes t
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return dtype + Arrays.toString(shape) + " (" + data.length + " bytes)";
  }
}
