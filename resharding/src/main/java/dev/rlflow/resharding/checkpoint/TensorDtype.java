package dev.rlflow.resharding.checkpoint;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The element types of the safetensors format, spelled as its headers spell them, with their size
 * in bytes. A fragment may hold any of them; {@link TensorBytes#toFloats()} widens the floating
 * ones (F16 and BF16 included) to FP32.
 */
public enum TensorDtype {
  BOOL(1, false),
  U8(1, false),
  I8(1, false),
  F8_E5M2(1, false),
  F8_E4M3(1, false),
  I16(2, false),
  U16(2, false),
  F16(2, true),
  BF16(2, true),
  I32(4, false),
  U32(4, false),
  F32(4, true),
  F64(8, true),
  I64(8, false),
  U64(8, false);

  /** The names a reader accepts, for error messages. */
  static final String SUPPORTED =
      Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

  /** Bytes per element. */
  public final int bytes;

  /**
   * Whether {@link TensorBytes#toFloats()} converts it; the 8-bit floats are stored and read back
   * as bytes only, since their scaling lives outside the tensor.
   */
  public final boolean widensToFloat;

  TensorDtype(int bytes, boolean widensToFloat) {
    this.bytes = bytes;
    this.widensToFloat = widensToFloat;
  }

  /** The type spelled {@code name} in a header, case-sensitive as in the format's reference. */
  static Optional<TensorDtype> of(String name) {
    return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
  }
}
