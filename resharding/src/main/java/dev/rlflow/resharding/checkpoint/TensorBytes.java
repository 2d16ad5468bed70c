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
 * <p>The bytes may live on the Java heap or be a view of native memory (a libtorch tensor's, see
 * {@link NDArrayTensors#toBytes}): writing a version then streams them to the file without a copy
 * the size of the model.
 *
 * @param dtype the element type
 * @param shape the dimensions (empty for a scalar)
 * @param data {@code product(shape) * dtype.bytes} bytes, from position 0 to the limit; a read-only
 *     little-endian view, not a copy, so the owner must not change them while the record is in use
 */
public record TensorBytes(TensorDtype dtype, long[] shape, ByteBuffer data) {

  public TensorBytes {
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long expected = Math.multiplyExact(TensorRegion.volume(shape), dtype.bytes);
    if (data.remaining() != expected) {
      throw new IllegalArgumentException(
          "Invalid value "
              + data.remaining()
              + " for data length: shape "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + expected
              + " bytes");
    }
  }

  /** A tensor over {@code data}, which is not copied: the caller must not change it afterwards. */
  public TensorBytes(TensorDtype dtype, long[] shape, byte[] data) {
    this(dtype, shape, ByteBuffer.wrap(data));
  }

  /** The bytes: a read-only view of its own, positioned at 0, little-endian. */
  @Override
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The number of bytes. */
  public int length() {
    return data.remaining();
  }

  /** The bytes, copied into an array of their own. */
  public byte[] toArray() {
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes);
    return bytes;
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
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[in.remaining() / dtype.bytes];
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
        && data.equals(t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape), data.hashCode());
  }

  @Override
  public String toString() {
    return dtype + Arrays.toString(shape) + " (" + data.remaining() + " bytes)";
  }
}
