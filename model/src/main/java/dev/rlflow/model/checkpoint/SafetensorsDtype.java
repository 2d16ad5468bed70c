package dev.rlflow.model.checkpoint;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The element types this package reads from a safetensors file, with their size in bytes. Floating
 * types load as FP32; integer types load unchanged.
 */
enum SafetensorsDtype {
  F32(4, true),
  F16(2, true),
  BF16(2, true),
  F64(8, true),
  I64(8, false),
  I32(4, false);

  /** The names a reader accepts, for error messages. */
  static final String SUPPORTED =
      Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

  final int bytes;
  final boolean floating;

  SafetensorsDtype(int bytes, boolean floating) {
    this.bytes = bytes;
    this.floating = floating;
  }

  /** The type spelled {@code name} in a header, case-sensitive as in the format's reference. */
  static Optional<SafetensorsDtype> of(String name) {
    for (SafetensorsDtype dtype : values()) {
      if (dtype.name().equals(name)) {
        return Optional.of(dtype);
      }
    }
    return Optional.empty();
  }
}
