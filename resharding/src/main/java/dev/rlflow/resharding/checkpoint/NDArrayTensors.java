package dev.rlflow.resharding.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
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
   * float16 as F16. On a little-endian machine the first four are views of the arrays' memory, not
   * copies: write them before the arrays change or close.
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
                case FLOAT16 ->
                    TensorBytes.ofFloats(
                        shape,
                        array.toType(DataType.FLOAT32, true).toFloatArray(),
                        TensorDtype.F16);
                case FLOAT32, FLOAT64, INT32, INT64 -> littleEndian(shape, array);
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
          ByteBuffer data = tensor.data();
          NDArray array =
              switch (tensor.dtype()) {
                // Buffer views: DJL copies them in bulk into libtorch's memory, swapping bytes
                // only on a big-endian machine.
                case F32 -> manager.create(data.asFloatBuffer(), shape);
                case F16, BF16, F64 -> manager.create(tensor.toFloats(), shape);
                case I32 -> manager.create(data.asIntBuffer(), shape);
                case I64 -> manager.create(data.asLongBuffer(), shape);
                default ->
                    throw new IllegalArgumentException(
                        "tensor " + name + ": " + tensor.dtype() + " has no DJL array here");
              };
          arrays.put(name, array);
        });
    return arrays;
  }

  /**
   * Every tensor of {@code reader}'s version as arrays of {@code manager}, as {@link #toArrays}
   * makes them; on a little-endian machine F32, I32 and I64 tensors are read straight into the
   * memory of new (uninitialised) arrays, with no other buffer as large as a tensor (the weight
   * store loads a version per iteration).
   */
  public static Map<String, NDArray> read(CheckpointReader reader, NDManager manager)
      throws IOException {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      return toArrays(reader.readAll(), manager);
    }
    Map<String, NDArray> arrays = new LinkedHashMap<>();
    Map<String, ByteBuffer> widened = new LinkedHashMap<>();
    reader.readAllInto(
        tensor -> {
          DataType type = nativeType(tensor.dtype());
          int bytes = Math.toIntExact(TensorRegion.volume(tensor.shape()) * tensor.dtype().bytes);
          if (type == null) {
            ByteBuffer heap = ByteBuffer.allocate(bytes);
            widened.put(tensor.name(), heap);
            arrays.put(tensor.name(), null); // keeps the index's order
            return heap;
          }
          NDArray array = manager.create(new Shape(tensor.shape()), type);
          arrays.put(tensor.name(), array);
          return array.toByteBuffer(true); // a view of the array's memory, filled in place
        });
    Map<String, TensorEntry> index = reader.index().tensors();
    widened.forEach(
        (name, heap) -> {
          TensorEntry tensor = index.get(name);
          TensorBytes bytes = new TensorBytes(tensor.dtype(), tensor.shape(), heap.flip());
          arrays.put(name, toArrays(Map.of(name, bytes), manager).get(name));
        });
    return arrays;
  }

  /** The DJL type whose memory holds {@code dtype}'s bytes as they are, or null. */
  private static DataType nativeType(TensorDtype dtype) {
    return switch (dtype) {
      case F32 -> DataType.FLOAT32;
      case I32 -> DataType.INT32;
      case I64 -> DataType.INT64;
      default -> null;
    };
  }

  /**
   * The array's elements as little-endian bytes: on a little-endian machine a view of libtorch's
   * memory where DJL gives one (no copy; valid while the array lives unchanged), elsewhere one bulk
   * copy with the bytes swapped.
   */
  private static TensorBytes littleEndian(long[] shape, NDArray array) {
    DataType type = array.getDataType();
    TensorDtype dtype =
        switch (type) {
          case FLOAT32 -> TensorDtype.F32;
          case FLOAT64 -> TensorDtype.F64;
          case INT32 -> TensorDtype.I32;
          case INT64 -> TensorDtype.I64;
          default -> throw new AssertionError(type);
        };
    ByteBuffer in = array.toByteBuffer(true).order(ByteOrder.nativeOrder());
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      return new TensorBytes(dtype, shape, in);
    }
    ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case FLOAT32 -> out.asFloatBuffer().put(in.asFloatBuffer());
      case FLOAT64 -> out.asDoubleBuffer().put(in.asDoubleBuffer());
      case INT32 -> out.asIntBuffer().put(in.asIntBuffer());
      case INT64 -> out.asLongBuffer().put(in.asLongBuffer());
      default -> throw new AssertionError(type);
    }
    return new TensorBytes(dtype, shape, out.array());
  }
}
