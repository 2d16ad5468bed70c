package dev.rlflow.model.checkpoint;

import static dev.rlflow.model.checkpoint.SafetensorsBytes.floats;
import static dev.rlflow.model.checkpoint.SafetensorsBytes.shorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file raises {@link CorruptCheckpointException} naming file and tensor. */
class SafetensorsCorruptionTest {

  private static final String UP = "model.layers.0.mlp.up_proj.weight";

  @TempDir Path dir;

  @Test
  void fileShorterThanTheLengthField() throws IOException {
    Path file = write(new byte[] {1, 2, 3});

    assertCorrupt(file, null, "file of 3 bytes is shorter than the 8-byte header length");
  }

  @Test
  void headerLengthBeyondTheFile() throws IOException {
    byte[] bytes = new SafetensorsBytes().tensor("w", "F32", "[1]", floats(1)).build();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
    Path file = write(bytes);

    assertCorrupt(
        file,
        null,
        "header length "
            + bytes.length
            + " exceeds the "
            + (bytes.length - 8)
            + " bytes that follow the length field");
  }

  @Test
  void headerLengthOverTheLimitIsRefusedWithoutAllocating() throws IOException {
    byte[] bytes = new byte[16];
    Arrays.fill(bytes, (byte) 0xFF);
    Path huge = write(bytes);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
    Path overLimit = dir.resolve("over.safetensors");
    Files.write(overLimit, bytes);

    assertCorrupt(
        huge, null, "header length 18446744073709551615 exceeds the limit of 100000000 bytes");
    assertCorrupt(overLimit, null, "header length 100000001 exceeds the limit of 100000000 bytes");
  }

  @Test
  void headerThatIsNotJson() throws IOException {
    Path file = write(SafetensorsBytes.file("{\"w\": {\"dtype\": \"F32\",", new byte[0]));

    CorruptCheckpointException e = corrupt(file);
    assertThat(e.tensor()).isEmpty();
    assertThat(e).hasMessageStartingWith(file + ": header is not valid JSON: ");
  }

  @Test
  void headerThatIsNotAnObject() throws IOException {
    assertCorrupt(
        write(SafetensorsBytes.file("[1, 2]", new byte[0])),
        null,
        "header is not a JSON object: [1, 2]");
    assertCorrupt(
        write(SafetensorsBytes.file("", new byte[0])), null, "header is not a JSON object: ");
  }

  @Test
  void headerThatIsNotUtf8() throws IOException {
    byte[] bytes = SafetensorsBytes.file("{\"w\":{}}", new byte[0]);
    bytes[10] = (byte) 0xC3; // a two-byte sequence cut short by the next character
    assertCorrupt(write(bytes), null, "header is not valid UTF-8");
  }

  @Test
  void duplicateTensorName() throws IOException {
    String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    Path file =
        write(SafetensorsBytes.file("{\"w\":" + entry + ",\"w\":" + entry + "}", floats(1)));

    assertThat(corrupt(file)).hasMessageContaining("Duplicate field 'w'");
  }

  @Test
  void entryWithMissingOrMistypedFields() throws IOException {
    assertCorrupt(
        entryFile("w", "{\"shape\":[1],\"data_offsets\":[0,4]}"),
        "w",
        "dtype must be a string, found null");
    assertCorrupt(
        entryFile("w", "{\"dtype\":\"F32\",\"data_offsets\":[0,4]}"),
        "w",
        "shape must be an array of integers >= 0, found null");
    assertCorrupt(
        entryFile("w", "{\"dtype\":\"F32\",\"shape\":[1]}"),
        "w",
        "data_offsets must be [begin, end], integers >= 0, found null");
    assertCorrupt(entryFile("w", "[1]"), "w", "entry must be an object, found [1]");
    assertCorrupt(
        entryFile("w", "{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}"),
        "w",
        "shape must be an array of integers >= 0, found [1.0]");
    assertCorrupt(
        entryFile("w", "{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}"),
        "w",
        "shape must be an array of integers >= 0, found [-1]");
    assertCorrupt(
        entryFile("w", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}"),
        "w",
        "data_offsets must be [begin, end], integers >= 0, found [0]");
    assertCorrupt(
        entryFile(
            "w", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}"),
        "w",
        "data_offsets must be [begin, end], integers >= 0, found [0,99999999999999999999]");
  }

  @Test
  void unknownDtype() throws IOException {
    assertCorrupt(
        entryFile(UP, "{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}"),
        UP,
        "unsupported dtype \"F8_E4M3\" (supported: F32, F16, BF16, F64, I64, I32)");
  }

  @Test
  void offsetsOutOfTheDataSection() throws IOException {
    Path file =
        write(
            new SafetensorsBytes()
                .entry(UP, "{\"dtype\":\"F32\",\"shape\":[16,16],\"data_offsets\":[0,1024]}")
                .data(new byte[512])
                .build());

    assertCorrupt(file, UP, "data offsets [0, 1024) exceed the data section of 512 bytes");
  }

  @Test
  void offsetsReversed() throws IOException {
    assertCorrupt(
        entryFile("w", "{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}"),
        "w",
        "data offsets [4, 0) end before they begin");
  }

  @Test
  void byteSizeDisagreesWithShape() throws IOException {
    Path file =
        write(new SafetensorsBytes().tensor("w", "BF16", "[3]", shorts(1, 2, 3, 4)).build());

    assertCorrupt(file, "w", "shape [3] of BF16 needs 6 bytes but data offsets [0, 8) hold 8");
  }

  @Test
  void shapeWhoseSizeOverflows() throws IOException {
    assertCorrupt(
        entryFile(
            "w", "{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}"),
        "w",
        "shape [4294967296, 4294967296] has more elements than a long counts");
  }

  @Test
  void overlappingTensors() throws IOException {
    Path file =
        write(
            new SafetensorsBytes()
                .entry("a", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}")
                .entry("b", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}")
                .data(new byte[12])
                .build());

    assertCorrupt(file, "b", "data offsets [4, 12) overlap those of tensor a [0, 8)");
  }

  @Test
  void gapsAndTrailingBytes() throws IOException {
    Path gap =
        write(
            new SafetensorsBytes()
                .entry("a", "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}")
                .data(new byte[8])
                .build());
    Path trailing = dir.resolve("trailing.safetensors");
    Files.write(
        trailing,
        new SafetensorsBytes().tensor("a", "F32", "[1]", floats(1)).data(new byte[3]).build());

    assertCorrupt(
        gap, "a", "data offsets [4, 8) leave bytes [0, 4) of the data section to no tensor");
    assertCorrupt(
        trailing, null, "data section of 7 bytes has 3 trailing bytes that belong to no tensor");
  }

  @Test
  void metadataThatIsNotStrings() throws IOException {
    Path file = write(SafetensorsBytes.file("{\"__metadata__\":{\"step\":42}}", new byte[0]));

    assertCorrupt(file, null, "__metadata__ value of step must be a string, found 42");
  }

  @Test
  void truncatedFile() throws IOException {
    Path file = dir.resolve("model.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put("a", manager.create(new float[64], new Shape(8, 8)));
      tensors.put(UP, manager.create(new float[128], new Shape(16, 8)));
      Safetensors.write(file, tensors, Map.of());
    }
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));

    assertCorrupt(file, UP, "data offsets [256, 768) exceed the data section of 668 bytes");
  }

  /**
   * Random byte changes in a real file's header (and length field) either still describe a valid
   * file or raise CorruptCheckpointException: never another exception, never a JVM crash.
   */
  @Test
  void randomHeaderDamageRaisesOnlyCorruptCheckpointException() throws IOException {
    Path original = dir.resolve("original.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put("model.embed_tokens.weight", manager.create(new float[24], new Shape(6, 4)));
      tensors.put("model.norm.weight", manager.create(new float[4], new Shape(4)));
      tensors.put("scalar", manager.create(new float[1], new Shape()));
      tensors.put("ids", manager.create(new long[3], new Shape(3)));
      Safetensors.write(original, tensors, Map.of("format", "pt"), StoredDtype.BF16);
    }
    byte[] bytes = Files.readAllBytes(original);
    int headerEnd = 8 + (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    SplittableRandom random = new SplittableRandom(20_240_601);
    Path damaged = dir.resolve("damaged.safetensors");
    int rejected = 0;
    int trials = 3000;
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int trial = 0; trial < trials; trial++) {
        byte[] copy = bytes.clone();
        int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips; i++) {
          // Every tenth trial damages the length field, the others the JSON.
          int at = random.nextInt(trial % 10 == 0 ? 8 : headerEnd);
          copy[at] =
              random.nextBoolean()
                  ? (byte) (copy[at] ^ (1 << random.nextInt(8)))
                  : (byte) random.nextInt(256);
        }
        Files.write(damaged, copy);
        try (NDManager trialManager = manager.newSubManager()) {
          Safetensors.read(damaged, trialManager);
        } catch (CorruptCheckpointException e) {
          assertThat(e.file()).isEqualTo(damaged);
          rejected++;
        }
      }
    }
    assertThat(rejected).isBetween(trials / 2, trials);
  }

  private Path write(byte[] bytes) throws IOException {
    Path file = dir.resolve("model.safetensors");
    Files.write(file, bytes);
    return file;
  }

  private Path entryFile(String name, String entryJson) throws IOException {
    return write(new SafetensorsBytes().entry(name, entryJson).data(new byte[4]).build());
  }

  private static CorruptCheckpointException corrupt(Path file) {
    try (NDManager manager = NDManager.newBaseManager()) {
      CorruptCheckpointException e =
          catchThrowableOfType(
              CorruptCheckpointException.class, () -> Safetensors.read(file, manager));
      assertThat(e).as("reading %s", file).isNotNull();
      assertThat(e.file()).isEqualTo(file);
      return e;
    }
  }

  private static void assertCorrupt(Path file, String tensor, String problem) {
    CorruptCheckpointException e = corrupt(file);
    assertThat(e.tensor()).isEqualTo(java.util.Optional.ofNullable(tensor));
    assertThat(e)
        .hasMessage(
            tensor == null ? file + ": " + problem : file + ": tensor " + tensor + ": " + problem);
  }
}
