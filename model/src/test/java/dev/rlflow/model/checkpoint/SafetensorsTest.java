package dev.rlflow.model.checkpoint;

import static dev.rlflow.model.checkpoint.SafetensorsBytes.doubles;
import static dev.rlflow.model.checkpoint.SafetensorsBytes.floats;
import static dev.rlflow.model.checkpoint.SafetensorsBytes.ints;
import static dev.rlflow.model.checkpoint.SafetensorsBytes.longs;
import static dev.rlflow.model.checkpoint.SafetensorsBytes.shorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

  @TempDir Path dir;

  @Test
  void fp32RoundTripIsBitExact() throws IOException {
    float[] special = {
      Float.NaN,
      Float.intBitsToFloat(0x7FC0_0001), // a quiet NaN with a payload
      -0.0f,
      0.0f,
      Float.MIN_VALUE, // subnormal
      -Float.MIN_NORMAL / 3, // subnormal
      Float.MAX_VALUE,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      1.0f / 3
    };
    Path file = dir.resolve("model.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put("z.scalar", manager.create(new float[] {-0.0f}, new Shape()));
      tensors.put("special", manager.create(special, new Shape(special.length)));
      tensors.put("matrix", manager.create(sequence(6), new Shape(2, 3)));
      tensors.put("cube", manager.create(sequence(24), new Shape(2, 3, 4)));
      tensors.put("empty", manager.create(new float[0], new Shape(0)));
      tensors.put("empty.rows", manager.create(new float[0], new Shape(2, 0)));
      Map<String, String> metadata = Map.of("format", "pt", "step", "42", "note", "ünïcode ✓");

      Safetensors.write(file, tensors, metadata);
      Safetensors.Contents read = Safetensors.read(file, manager);

      assertThat(read.metadata()).isEqualTo(metadata);
      assertThat(read.tensors().keySet())
          .containsExactly("cube", "empty", "empty.rows", "matrix", "special", "z.scalar");
      for (Map.Entry<String, NDArray> tensor : tensors.entrySet()) {
        NDArray loaded = read.tensors().get(tensor.getKey());
        assertThat(loaded.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(loaded.getShape()).isEqualTo(tensor.getValue().getShape());
        assertThat(bits(loaded)).as(tensor.getKey()).isEqualTo(bits(tensor.getValue()));
      }
      assertThat(read.tensors().get("z.scalar").getShape().dimension()).isZero();
    }
  }

  @Test
  void integerTensorsRoundTripUnchanged() throws IOException {
    Path file = dir.resolve("ids.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      long[] big = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
      int[] small = {Integer.MIN_VALUE, -7, 0, 9, Integer.MAX_VALUE, 3};
      Safetensors.write(
          file,
          Map.of(
              "big", manager.create(big, new Shape(4)),
              "small", manager.create(small, new Shape(3, 2))),
          Map.of(),
          StoredDtype.BF16);

      Safetensors.Contents read = Safetensors.read(file, manager);

      assertThat(read.metadata()).isEmpty();
      assertThat(read.tensors().get("big").getDataType()).isEqualTo(DataType.INT64);
      assertThat(read.tensors().get("big").toLongArray()).containsExactly(big);
      assertThat(read.tensors().get("small").getDataType()).isEqualTo(DataType.INT32);
      assertThat(read.tensors().get("small").getShape()).isEqualTo(new Shape(3, 2));
      assertThat(read.tensors().get("small").toIntArray()).containsExactly(small);
    }
  }

  @Test
  void handAssembledF16AndBf16LoadAsExactFp32() throws IOException {
    Path file = dir.resolve("half.safetensors");
    Files.write(
        file,
        new SafetensorsBytes()
            .tensor("bf16", "BF16", "[2,2]", shorts(0x3F80, 0xC000, 0x7F80, 0x8000))
            .tensor("f16", "F16", "[5]", shorts(0x3C00, 0x0001, 0x7C00, 0xFBFF, 0x3555))
            .tensor("f64", "F64", "[2]", doubles(0.5, 1e300))
            .tensor("f32", "F32", "[]", floats(-1.25f))
            .tensor("i64", "I64", "[1]", longs(1L << 40))
            .tensor("i32", "I32", "[2]", ints(-3, 4))
            .build());

    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> read = Safetensors.read(file, manager).tensors();

      assertThat(read.keySet()).containsExactly("bf16", "f16", "f32", "f64", "i32", "i64");
      assertThat(read.get("bf16").getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(read.get("bf16").getShape()).isEqualTo(new Shape(2, 2));
      assertThat(bits(read.get("bf16")))
          .containsExactly(bits(1.0f, -2.0f, Float.POSITIVE_INFINITY, -0.0f));
      assertThat(read.get("f16").getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(read.get("f16").toFloatArray())
          .containsExactly(1.0f, 5.9604645e-8f, Float.POSITIVE_INFINITY, -65504f, 0.333251953125f);
      assertThat(read.get("f64").getDataType()).isEqualTo(DataType.FLOAT32);
      assertThat(read.get("f64").toFloatArray()).containsExactly(0.5f, Float.POSITIVE_INFINITY);
      assertThat(read.get("f32").getShape()).isEqualTo(new Shape());
      assertThat(read.get("f32").toFloatArray()).containsExactly(-1.25f);
      assertThat(read.get("i64").toLongArray()).containsExactly(1L << 40);
      assertThat(read.get("i32").toIntArray()).containsExactly(-3, 4);
    }
  }

  @Test
  void writesF16AndBf16RoundedToNearestEven() throws IOException {
    float tieBf16 = Float.intBitsToFloat(0x3F80_8000); // halfway between two bfloat16s
    float[] values = {1.0f, -2.0f, tieBf16, 1e6f, Float.NEGATIVE_INFINITY};
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = Map.of("w", manager.create(values, new Shape(5)));
      Path f16 = dir.resolve("f16.safetensors");
      Path bf16 = dir.resolve("bf16.safetensors");

      Safetensors.write(f16, tensors, Map.of(), StoredDtype.F16);
      Safetensors.write(bf16, tensors, Map.of(), StoredDtype.BF16);

      assertThat(header(f16))
          .isEqualTo("{\"w\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]}}");
      // 1 + 2^-8 is exact in F16; 1e6 is beyond its range.
      assertThat(data(f16)).containsExactly(shorts(0x3C00, 0xC000, 0x3C04, 0x7C00, 0xFC00));
      assertThat(data(bf16)).containsExactly(shorts(0x3F80, 0xC000, 0x3F80, 0x4974, 0xFF80));
      assertThat(Safetensors.read(bf16, manager).tensors().get("w").toFloatArray())
          .containsExactly(1.0f, -2.0f, 1.0f, 999424f, Float.NEGATIVE_INFINITY);
    }
  }

  @Test
  void writesTheReferenceLayout() throws IOException {
    Path file = dir.resolve("layout.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put("b", manager.create(new float[] {1, 2}, new Shape(2)));
      tensors.put("a", manager.create(new float[] {3}, new Shape(1, 1)));
      tensors.put("c", manager.create(new int[] {5}, new Shape(1)));
      tensors.put("d", manager.create(new long[] {6}, new Shape(1)));

      Safetensors.write(file, tensors, Map.of("format", "pt"));
    }

    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    // Element size descending, then name; __metadata__ first; spaces pad the header to 8 bytes.
    String json =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"d\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]},"
            + "\"c\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[20,24]}}";
    assertThat(headerLength % 8).isZero();
    assertThat(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8))
        .isEqualTo(json + " ".repeat((int) headerLength - json.length()));
    assertThat(bytes).hasSize(8 + (int) headerLength + 24);
  }

  /** DJL's own safetensors codec is an independent implementation of the format: both agree. */
  @Test
  void interoperatesWithDjlsSafetensorsCodec() throws IOException {
    Path ours = dir.resolve("ours.safetensors");
    Path djls = dir.resolve("djl.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put("a.weight", manager.create(sequence(12), new Shape(3, 4)));
      tensors.put("b.bias", manager.create(sequence(5), new Shape(5)));
      Safetensors.write(ours, tensors, Map.of("format", "pt"));
      NDList list = new NDList();
      tensors.forEach(
          (name, array) -> {
            NDArray copy = array.duplicate();
            copy.setName(name);
            list.add(copy);
          });
      try (OutputStream out = Files.newOutputStream(djls)) {
        list.encode(out, NDList.Encoding.SAFETENSORS);
      }

      NDList decodedByDjl = NDList.decode(manager, Files.readAllBytes(ours));
      Map<String, NDArray> readByUs = Safetensors.read(djls, manager).tensors();

      assertThat(decodedByDjl).hasSize(2);
      for (NDArray array : decodedByDjl) {
        assertThat(bits(array)).as(array.getName()).isEqualTo(bits(tensors.get(array.getName())));
        assertThat(array.getShape()).isEqualTo(tensors.get(array.getName()).getShape());
      }
      assertThat(readByUs.keySet()).containsExactly("a.weight", "b.bias");
      tensors.forEach(
          (name, array) -> {
            assertThat(readByUs.get(name).getShape()).isEqualTo(array.getShape());
            assertThat(bits(readByUs.get(name))).isEqualTo(bits(array));
          });
    }
  }

  @Test
  void writeReplacesAFileAtomicallyAndLeavesNoTemporaryFile() throws IOException {
    Path file = dir.resolve("model.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Safetensors.write(file, Map.of("w", manager.create(new float[] {1}, new Shape(1))), Map.of());
      Safetensors.write(file, Map.of("w", manager.create(new float[] {2}, new Shape(1))), Map.of());

      assertThat(Safetensors.read(file, manager).tensors().get("w").toFloatArray())
          .containsExactly(2f);
      byte[] before = Files.readAllBytes(file);
      NDArray bool = manager.create(new boolean[] {true}, new Shape(1));
      assertThatThrownBy(() -> Safetensors.write(file, Map.of("flag", bool), Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              file
                  + ": tensor flag: DJL data type boolean cannot be written (floating types:"
                  + " float16, float32, float64; integer types: int32, int64)");
      assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void refusesToPlanAFileOf2GiB() {
    Path file = dir.resolve("huge.safetensors");
    Map<String, SafetensorsWriter.Spec> fits =
        Map.of("w", new SafetensorsWriter.Spec(SafetensorsDtype.F32, new Shape(1 << 28)));
    Map<String, SafetensorsWriter.Spec> tooBig =
        Map.of("w", new SafetensorsWriter.Spec(SafetensorsDtype.F32, new Shape(1 << 29)));

    assertThat(SafetensorsWriter.plan(file, fits, Map.of()).fileBytes())
        .isEqualTo(8 + 72 + (1L << 30));
    assertThatThrownBy(() -> SafetensorsWriter.plan(file, tooBig, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            file
                + ": 2147483728 bytes exceed the limit of 2147483647 bytes for one safetensors"
                + " file (DJL counts bytes in ints): split the tensors into shards, e.g. with"
                + " HfCheckpoint.write");
    assertThat(dir.toFile().list()).isEmpty();
  }

  @Test
  void refusesATensorNamedLikeTheMetadata() {
    Path file = dir.resolve("x.safetensors");
    Map<String, SafetensorsWriter.Spec> specs =
        Map.of("__metadata__", new SafetensorsWriter.Spec(SafetensorsDtype.F32, new Shape(1)));

    assertThatThrownBy(() -> SafetensorsWriter.plan(file, specs, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": tensor name __metadata__ is reserved for the header's metadata");
  }

  static float[] sequence(int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i * 0.25f - 1;
    }
    return values;
  }

  static int[] bits(NDArray array) {
    return bits(array.toFloatArray());
  }

  static int[] bits(float... values) {
    return Arrays.stream(toBoxed(values)).mapToInt(Float::floatToRawIntBits).toArray();
  }

  private static Float[] toBoxed(float[] values) {
    Float[] boxed = new Float[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }

  private static String header(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int length = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return new String(bytes, 8, length, StandardCharsets.UTF_8).strip();
  }

  private static byte[] data(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int length = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return Arrays.copyOfRange(bytes, 8 + length, bytes.length);
  }
}
