package dev.rlflow.model.checkpoint;

/**
 * The floating-point type in which a writer stores floating-point tensors; readers always return
 * FP32, since DJL's PyTorch engine aborts the JVM on bfloat16 (DESIGN.md §1).
 */
public enum StoredDtype {
  /** IEEE 754 single precision: exact round trip. */
  F32(SafetensorsDtype.F32, "float32"),
  /** IEEE 754 half precision, rounded to nearest even; magnitudes above 65504 become infinite. */
  F16(SafetensorsDtype.F16, "float16"),
  /** bfloat16 (the high 16 bits of an FP32), rounded to nearest even. */
  BF16(SafetensorsDtype.BF16, "bfloat16");

  final SafetensorsDtype dtype;
  final String torchDtype;

  StoredDtype(SafetensorsDtype dtype, String torchDtype) {
    this.dtype = dtype;
    this.torchDtype = torchDtype;
  }
}
