package dev.rlflow.resharding.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The adapter between DJL arrays and the checkpoint's {@link TensorBytes}, so that the format
 * itself needs no engine: the trainer saves its {@code Map<String, NDArray>} through it and loads
 * back FP32 arrays (F16, BF16 and F64 widened or narrowed in Java, since DJL's PyTorch engine
 * aborts on bfloat16).
 */
public final class NDArrayTensors {
  private NDArrayTensors() {}

  /**
   * The elements of {@code arrays}: float32, float64, int32 and int64 as F32, F64, I32 and I64,
   * float16 as F16.
   *
   * @throws IllegalArgumentException naming the tensor when its DJL type is none of those
   */
  public static Map<String, TensorBytes> toBytes(Map<String, NDArray> arrays) {
    Map<String, TensorBytes> tensors = new LinkedHashMap<>();
    arrays.forEach(
        (name, array) -> {
          long[] shape = array.getShape().getShape();
          TensorBytes bytes =
              switch (array.getDataType()) {
                case FLOAT32 -> TensorBytes.ofFloats(shape, array.toFloatArray(), TensorDtype.F32);
                case FLOAT16 ->
                    TensorBytes.ofFloats(
                        shape,
                        array.toType(DataType.FLOAT32, true).toFloatArray(),
                        TensorDtype.F16);
                case FLOAT64, INT32, INT64 -> littleEndian(shape, array);
                default ->
                    throw new IllegalArgumentException(
                        "tensor "
                            + name
                            + ": DJL type "
                            + array.getDataType()
                            + " is none of float16, float32, float64, int32, int64");
              };
          tensors.put(name, bytes);
        });
    return tensors;
  }

  /**
   * {@code tensors} as arrays of {@code manager}: floating types as float32, I32 and I64 unchanged.
   *
   * @throws IllegalArgumentException naming the tensor when its dtype has no such array
   */
  public static Map<String, NDArray> toArrays(Map<String, TensorBytes> tensors, NDManager manager) {
    Map<String, NDArray> arrays = new LinkedHashMap<>();
    tensors.forEach(
        (name, tensor) -> {
          Shape shape = new Shape(tensor.shape());
          ByteBuffer data = ByteBuffer.wrap(tensor.data()).order(ByteOrder.LITTLE_ENDIAN);
          NDArray array =
              switch (tensor.dtype()) {
                case F32, F16, BF16, F64 -> manager.create(tensor.toFloats(), shape);
                case I32 -> manager.create(ints(data), shape);
                case I64 -> manager.create(longs(data), shape);
                default ->
                    throw new IllegalArgumentException(
                        "tensor " + name + ": " + tensor.dtype() + " has no DJL array here");
              };
          arrays.put(name, array);
        });
    return arrays;
  }

  private static TensorBytes littleEndian(long[] shape, NDArray array) {
    DataType type = array.getDataType();
    ByteBuffer out =
        ByteBuffer.allocate(Math.toIntExact(array.size() * type.getNumOfBytes()))
            .order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case FLOAT64 -> out.asDoubleBuffer().put(array.toDoubleArray());
      case INT32 -> out.asIntBuffer().put(array.toIntArray());
      case INT64 -> out.asLongBuffer().put(array.toLongArray());
      default -> throw new AssertionError(type);
    }
    TensorDtype dtype =
        switch (type) {
          case FLOAT64 -> TensorDtype.F64;
          case INT32 -> TensorDtype.I32;
          default -> TensorDtype.I64;
        };
    return new TensorBytes(dtype, shape, out.array());
  }

  private static int[] ints(ByteBuffer data) {
    int[] values = new int[data.remaining() / 4];
    data.asIntBuffer().get(values);
    return values;
  }

  private static long[] longs(ByteBuffer data) {
    long[] values = new long[data.remaining() / 8];
    data.asLongBuffer().get(values);
    return values;
  }
}
