package dev.rlflow.model.checkpoint;

import static dev.rlflow.model.checkpoint.SafetensorsTest.bits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlflow.core.config.PolicyConfig.Architecture;
import dev.rlflow.model.ModelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HfCheckpointTest {

  private static final ModelConfig LLAMA_UNTIED = HfLayoutTest.config(Architecture.LLAMA, false);
  private static final ModelConfig LLAMA_TIED = HfLayoutTest.config(Architecture.LLAMA, true);

  @TempDir Path tmp;

  static Stream<ModelConfig> configs() {
    return Stream.of(
        HfLayoutTest.config(Architecture.LLAMA, false),
        HfLayoutTest.config(Architecture.LLAMA, true),
        HfLayoutTest.config(Architecture.QWEN2, false),
        HfLayoutTest.config(Architecture.QWEN2, true));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void singleFileCheckpointRoundTripsBitExactWithHeads(ModelConfig config) throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = tensors(manager, config, true, 1);

      HfCheckpoint.write(dir, config, tensors, 1L << 30);
      LoadedCheckpoint loaded = HfCheckpoint.read(dir, manager);

      assertThat(list(dir)).containsExactly("config.json", "model.safetensors");
      assertThat(list(tmp)).containsExactly("ckpt");
      assertThat(loaded.config()).isEqualTo(config);
      assertThat(loaded.hasValueHead()).isTrue();
      assertThat(loaded.hasStepScoreHead()).isTrue();
      assertThat(loaded.tensors().keySet()).containsExactlyElementsOf(tensors.keySet());
      assertSameValues(loaded.tensors(), tensors);
      try (NDManager check = NDManager.newBaseManager()) {
        assertThat(Safetensors.read(dir.resolve("model.safetensors"), check).metadata())
            .containsExactly(Map.entry("format", "pt"));
      }
    }
  }

  /**
   * A checkpoint sharded by the test's size limit, its shards then re-stored as FP32, FP16 and
   * BF16, loads with the right config and exact FP32 values (all chosen representable in BF16).
   */
  @ParameterizedTest
  @MethodSource("configs")
  void shardedCheckpointWithMixedDtypesLoads(ModelConfig config) throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = tensors(manager, config, false, 2);

      HfCheckpoint.write(dir, config, tensors, 1024);
      List<String> shards = list(dir).stream().filter(f -> f.startsWith("model-")).toList();
      StoredDtype[] dtypes = StoredDtype.values();
      for (int i = 0; i < shards.size(); i++) {
        Path shard = dir.resolve(shards.get(i));
        try (NDManager scratch = NDManager.newBaseManager()) {
          Safetensors.Contents contents = Safetensors.read(shard, scratch);
          Safetensors.write(shard, contents.tensors(), contents.metadata(), dtypes[i % 3]);
        }
      }
      LoadedCheckpoint loaded = HfCheckpoint.read(dir, manager);

      assertThat(shards.size()).isGreaterThanOrEqualTo(3);
      assertThat(shards.get(0))
          .isEqualTo(String.format("model-00001-of-%05d.safetensors", shards.size()));
      assertThat(list(dir)).contains("config.json", "model.safetensors.index.json");
      assertThat(list(dir)).doesNotContain("model.safetensors");
      assertThat(loaded.config()).isEqualTo(config);
      assertThat(loaded.hasValueHead()).isFalse();
      assertThat(loaded.tensors().keySet())
          .containsExactlyElementsOf(HfLayout.expectedShapes(config).keySet());
      assertSameValues(loaded.tensors(), tensors);
    }
  }

  @Test
  void indexListsEveryTensorAndTheTotalSize() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (NDManager manager = NDManager.newBaseManager()) {
      HfCheckpoint.write(dir, LLAMA_TIED, tensors(manager, LLAMA_TIED, false, 3), 1024);
    }

    JsonNode index =
        new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());

    assertThat(index.get("metadata").get("total_size").asLong())
        .isEqualTo(4 * LLAMA_TIED.parameterCount());
    List<String> names = new ArrayList<>();
    index.get("weight_map").fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .isSorted()
        .containsExactlyInAnyOrderElementsOf(HfLayout.expectedShapes(LLAMA_TIED).keySet());
    // Greedy in model order: the embeddings (512 bytes) and the first blocks' tensors share shard
    // 1.
    assertThat(index.get("weight_map").get("model.embed_tokens.weight").asText())
        .isEqualTo(index.get("weight_map").get("model.layers.0.self_attn.q_proj.weight").asText());
  }

  @Test
  void storedDtypeIsRecordedAsTorchDtype() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = tensors(manager, LLAMA_TIED, false, 4);

      HfCheckpoint.write(dir, LLAMA_TIED, tensors, 1L << 30, StoredDtype.BF16);

      JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
      assertThat(config.get("torch_dtype").asText()).isEqualTo("bfloat16");
      assertThat(config.get("architectures").get(0).asText()).isEqualTo("LlamaForCausalLM");
      assertThat(Files.size(dir.resolve("model.safetensors")))
          .isLessThan(2 * LLAMA_TIED.parameterCount() + 4096);
      assertSameValues(HfCheckpoint.read(dir, manager).tensors(), tensors);
    }
  }

  @Test
  void configJsonHasTheHuggingFaceKeys() throws IOException {
    ModelConfig qwen =
        new ModelConfig(Architecture.QWEN2, 151_936, 896, 24, 14, 2, 4864, 32_768, 1e6, 1e-6, true);

    JsonNode json = new ObjectMapper().readTree(ConfigJson.render(qwen, StoredDtype.F32));

    assertThat(json.toString())
        .isEqualTo(
            "{\"architectures\":[\"Qwen2ForCausalLM\"],\"model_type\":\"qwen2\",\"hidden_act\":\"silu\","
                + "\"vocab_size\":151936,\"hidden_size\":896,\"intermediate_size\":4864,"
                + "\"num_hidden_layers\":24,\"num_attention_heads\":14,\"num_key_value_heads\":2,"
                + "\"max_position_embeddings\":32768,\"rope_theta\":1000000.0,\"rms_norm_eps\":1.0E-6,"
                + "\"tie_word_embeddings\":true,\"torch_dtype\":\"float32\"}");
    assertThat(ConfigJson.parse(tmp, ConfigJson.render(qwen, StoredDtype.F32))).isEqualTo(qwen);
  }

  @Test
  void configJsonDefaultsAsTransformersDoAndIgnoresExtraKeys() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("ckpt"));
    Files.writeString(
        dir.resolve("config.json"),
        """
        {"model_type": "llama", "vocab_size": 32000, "hidden_size": 64,
         "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128,
         "max_position_embeddings": 2048, "bos_token_id": 1, "rope_scaling": null,
         "head_dim": 16, "transformers_version": "4.46.0", "pretraining_tp": 1,
         "some_float": NaN}
        """);

    assertThat(HfCheckpoint.readConfig(dir))
        .isEqualTo(
            new ModelConfig(
                Architecture.LLAMA, 32000, 64, 2, 4, 4, 128, 2048, 10_000.0, 1e-6, false));
  }

  @Test
  void configJsonThatThisModelFamilyCannotRun() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("ckpt"));
    Path file = dir.resolve("config.json");
    String base =
        "\"vocab_size\": 16, \"hidden_size\": 8, \"num_hidden_layers\": 2,"
            + " \"num_attention_heads\": 2, \"intermediate_size\": 12,"
            + " \"max_position_embeddings\": 32";

    Files.writeString(file, "{\"model_type\": \"mistral\", " + base + "}");
    assertCorrupt(
        dir, file, null, "model_type \"mistral\" is not supported (supported: llama, qwen2)");
    Files.writeString(file, "{\"model_type\": \"llama\", \"vocab_size\": 16}");
    assertCorrupt(dir, file, null, "missing key hidden_size");
    Files.writeString(file, "{\"model_type\": \"llama\", " + base.replace("12", "\"12\"") + "}");
    assertCorrupt(
        dir, file, null, "Invalid value \"12\" for intermediate_size: must be an integer");
    Files.writeString(
        file,
        "{\"model_type\": \"llama\", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}, "
            + base
            + "}");
    assertCorrupt(
        dir,
        file,
        null,
        "Invalid value {\"type\":\"linear\",\"factor\":2.0} for rope_scaling: must be null (no RoPE"
            + " scaling) (this model family supports nothing else)");
    Files.writeString(
        file, "{\"model_type\": \"qwen2\", \"num_key_value_heads\": 3, " + base + "}");
    assertCorrupt(dir, file, null, "Invalid value 3 for numKvHeads: must be divide numHeads");
    Files.writeString(file, "{\"model_type\": ");
    assertThat(corrupt(dir)).hasMessageStartingWith(file + ": not valid JSON: ");
  }

  @Test
  void missingPiecesOfTheDirectory() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("ckpt"));

    assertThatThrownBy(() -> read(tmp.resolve("absent"))).isInstanceOf(NoSuchFileException.class);
    assertCorrupt(dir, dir.resolve("config.json"), null, "missing from the checkpoint directory");
    Files.write(dir.resolve("config.json"), ConfigJson.render(LLAMA_TIED, StoredDtype.F32));
    assertCorrupt(
        dir, dir, null, "holds neither model.safetensors nor model.safetensors.index.json");
  }

  @Test
  void writeRefusesANonEmptyDirectoryButFillsAnEmptyOne() throws IOException {
    Path full = Files.createDirectory(tmp.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "x");
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = tensors(manager, LLAMA_TIED, false, 5);

      assertThatThrownBy(() -> HfCheckpoint.write(full, LLAMA_TIED, tensors, 1L << 30))
          .isInstanceOf(FileAlreadyExistsException.class);
      HfCheckpoint.write(empty, LLAMA_TIED, tensors, 1L << 30);
    }

    assertThat(list(full)).containsExactly("keep.txt");
    assertThat(list(empty)).containsExactly("config.json", "model.safetensors");
    assertThat(list(tmp)).containsExactly("empty", "full");
  }

  @Test
  void writeRefusesTensorsThatDoNotFitTheConfig() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = tensors(manager, LLAMA_UNTIED, false, 6);
      tensors.put("model.norm.weight", manager.zeros(new Shape(4)));

      assertThatThrownBy(() -> HfCheckpoint.write(dir, LLAMA_UNTIED, tensors, 1L << 30))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "tensor model.norm.weight: shape [4] does not match [8] expected by config.json"
                  + " (writing "
                  + dir
                  + ")");
      tensors.put("model.norm.weight", manager.zeros(new Shape(8), DataType.INT32));
      assertThatThrownBy(() -> HfCheckpoint.write(dir, LLAMA_UNTIED, tensors, 1L << 30))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tensor model.norm.weight: DJL data type int32 is not floating-point");
      assertThatThrownBy(() -> HfCheckpoint.write(dir, LLAMA_UNTIED, tensors, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid value 0 for maxShardBytes: must be >= 1");
    }
    assertThat(list(tmp)).isEmpty();
  }

  @Test
  void shapeMismatchAgainstTheConfig() throws IOException {
    Path dir = writeThenEdit(LLAMA_UNTIED, t -> t.put("model.norm.weight", zeros(t, 4)));

    assertCorrupt(
        dir,
        dir.resolve("model.safetensors"),
        "model.norm.weight",
        "shape [4] does not match [8] expected by config.json");
  }

  @Test
  void missingTensor() throws IOException {
    Path dir = writeThenEdit(LLAMA_UNTIED, t -> t.remove("lm_head.weight"));

    assertCorrupt(
        dir,
        dir.resolve("model.safetensors"),
        "lm_head.weight",
        "missing, though config.json expects shape [16, 8]");
  }

  @Test
  void unexpectedTensor() throws IOException {
    Path dir = writeThenEdit(LLAMA_TIED, t -> t.put("lm_head.weight", zeros(t, 16, 8)));

    assertCorrupt(
        dir,
        dir.resolve("model.safetensors"),
        "lm_head.weight",
        "unexpected: not a parameter of a llama model with tied embeddings and 2 layers");
  }

  @Test
  void incompleteOrMisshapenHead() throws IOException {
    Path dir = writeThenEdit(LLAMA_TIED, t -> t.put("score.weight", zeros(t, 2, 8)));
    assertCorrupt(
        dir,
        dir.resolve("model.safetensors"),
        "score.bias",
        "missing, though the rest of its head is present (expected shape [2])");

    Path other =
        writeThenEdit(
            LLAMA_TIED,
            t -> {
              t.put("value_head.weight", zeros(t, 8));
              t.put("value_head.bias", zeros(t, 1));
            });
    assertCorrupt(
        other,
        other.resolve("model.safetensors"),
        "value_head.weight",
        "shape [8] does not match [1, 8] expected by config.json");
  }

  @Test
  void integerTensorWhereAParameterBelongs() throws IOException {
    Path dir =
        writeThenEdit(
            LLAMA_TIED,
            t ->
                t.put(
                    "model.norm.weight", t.get("model.norm.weight").toType(DataType.INT32, true)));

    assertCorrupt(
        dir,
        dir.resolve("model.safetensors"),
        "model.norm.weight",
        "dtype I32 is not a floating-point type");
  }

  @Test
  void indexNamingAMissingShard() throws IOException {
    Path dir = writeSharded();
    Files.delete(dir.resolve("model-00002-of-00003.safetensors"));
    String first = shardTensors(dir).get("model-00002-of-00003.safetensors").get(0);

    assertCorrupt(
        dir,
        dir.resolve("model.safetensors.index.json"),
        first,
        "maps to shard model-00002-of-00003.safetensors, which does not exist");
  }

  @Test
  void indexPointingOutsideTheDirectory() throws IOException {
    Path dir = writeSharded();
    Path index = dir.resolve("model.safetensors.index.json");
    Files.writeString(
        index,
        Files.readString(index)
            .replace("model-00003-of-00003.safetensors", "../model-00003-of-00003.safetensors"));
    String first = shardTensors(dir).get("../model-00003-of-00003.safetensors").get(0);

    assertCorrupt(
        dir,
        index,
        first,
        "shard \"../model-00003-of-00003.safetensors\" is not a file name in the checkpoint"
            + " directory");
  }

  @Test
  void indexAndShardDisagree() throws IOException {
    Path dir = writeSharded();
    Path index = dir.resolve("model.safetensors.index.json");
    Map<String, List<String>> shards = shardTensors(dir);
    String moved = shards.get("model-00001-of-00003.safetensors").get(0);
    Files.writeString(
        index,
        Files.readString(index)
            .replace(
                "\"" + moved + "\" : \"model-00001-of-00003.safetensors\"",
                "\"" + moved + "\" : \"model-00002-of-00003.safetensors\""));

    assertCorrupt(
        dir,
        dir.resolve("model-00001-of-00003.safetensors"),
        moved,
        "present in this shard, though model.safetensors.index.json maps it to"
            + " model-00002-of-00003.safetensors");
  }

  @Test
  void missingTensorOfAShardedCheckpointNamesTheIndex() throws IOException {
    Path dir = writeSharded();
    Path index = dir.resolve("model.safetensors.index.json");
    Path shard = dir.resolve("model-00003-of-00003.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors =
          new LinkedHashMap<>(Safetensors.read(shard, manager).tensors());
      tensors.remove("model.norm.weight");
      Safetensors.write(shard, tensors, Map.of("format", "pt"));
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode tree = json.readTree(index.toFile());
    ((ObjectNode) tree.get("weight_map")).remove("model.norm.weight");
    json.writeValue(index.toFile(), tree);

    assertCorrupt(dir, index, "model.norm.weight", "missing, though config.json expects shape [8]");
  }

  @Test
  void unknownDtypeInAShard() throws IOException {
    Path dir = writeSharded();
    Path shard = dir.resolve("model-00002-of-00003.safetensors");
    byte[] bytes = Files.readAllBytes(shard);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("\"F32\"");
    bytes[at + 1] = 'Q';
    Files.write(shard, bytes);
    // Header order is name order here, so the first entry is the shard's first tensor by name.
    String first = shardTensors(dir).get("model-00002-of-00003.safetensors").get(0);

    assertCorrupt(
        dir, shard, first, "unsupported dtype \"Q32\" (supported: F32, F16, BF16, F64, I64, I32)");
  }

  @Test
  void truncatedShard() throws IOException {
    Path dir = writeSharded();
    Path shard = dir.resolve("model-00001-of-00003.safetensors");
    byte[] bytes = Files.readAllBytes(shard);
    Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 1));

    CorruptCheckpointException e = corrupt(dir);
    assertThat(e.file()).isEqualTo(shard);
    assertThat(e.tensor()).isPresent();
    assertThat(e)
        .hasMessageContaining(": data offsets [")
        .hasMessageContaining(") exceed the data section of ");
  }

  // --- fixtures ---------------------------------------------------------------------------------

  /**
   * The config's parameters (and both heads when asked) filled with multiples of 1/16 in [-8, 8):
   * exact in FP32, FP16 and BF16, so any stored dtype must load them back exactly.
   */
  static Map<String, NDArray> tensors(
      NDManager manager, ModelConfig config, boolean heads, long seed) {
    Map<String, Shape> shapes = new LinkedHashMap<>(HfLayout.expectedShapes(config));
    if (heads) {
      shapes.putAll(HfLayout.valueHeadShapes(config));
      shapes.putAll(HfLayout.stepScoreHeadShapes(config));
    }
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    shapes.forEach(
        (name, shape) -> {
          float[] values = new float[(int) shape.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = (random.nextInt(255) - 127) / 16f;
          }
          tensors.put(name, manager.create(values, shape));
        });
    return tensors;
  }

  private static void assertSameValues(Map<String, NDArray> loaded, Map<String, NDArray> expected) {
    assertThat(loaded).hasSameSizeAs(expected);
    expected.forEach(
        (name, array) -> {
          NDArray actual = loaded.get(name);
          assertThat(actual).as(name).isNotNull();
          assertThat(actual.getDataType()).as(name).isEqualTo(DataType.FLOAT32);
          assertThat(actual.getShape()).as(name).isEqualTo(array.getShape());
          assertThat(bits(actual)).as(name).isEqualTo(bits(array));
        });
  }

  private interface Edit {
    void apply(Map<String, NDArray> tensors);
  }

  /** Writes a valid checkpoint, then rewrites its model.safetensors with edited tensors. */
  private Path writeThenEdit(ModelConfig config, Edit edit) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "ckpt");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = tensors(manager, config, false, 7);
      HfCheckpoint.write(dir, config, tensors, 1L << 30);
      edit.apply(tensors);
      Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    }
    return dir;
  }

  private static NDArray zeros(Map<String, NDArray> tensors, long... shape) {
    return tensors.values().iterator().next().getManager().zeros(new Shape(shape));
  }

  /** A valid llama checkpoint in exactly three shards. */
  private Path writeSharded() throws IOException {
    Path dir = tmp.resolve("ckpt");
    try (NDManager manager = NDManager.newBaseManager()) {
      HfCheckpoint.write(dir, LLAMA_UNTIED, tensors(manager, LLAMA_UNTIED, false, 8), 2000);
    }
    assertThat(list(dir))
        .containsExactly(
            "config.json",
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors",
            "model.safetensors.index.json");
    return dir;
  }

  /** Tensor names by shard file, as the index lists them (sorted by tensor name). */
  private static Map<String, List<String>> shardTensors(Path dir) throws IOException {
    JsonNode map =
        new ObjectMapper()
            .readTree(dir.resolve("model.safetensors.index.json").toFile())
            .get("weight_map");
    Map<String, List<String>> shards = new TreeMap<>();
    map.fields()
        .forEachRemaining(
            f ->
                shards
                    .computeIfAbsent(f.getValue().asText(), s -> new ArrayList<>())
                    .add(f.getKey()));
    return shards;
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static void read(Path dir) throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      HfCheckpoint.read(dir, manager);
    }
  }

  private static CorruptCheckpointException corrupt(Path dir) {
    CorruptCheckpointException e =
        catchThrowableOfType(CorruptCheckpointException.class, () -> read(dir));
    assertThat(e).as("reading %s", dir).isNotNull();
    return e;
  }

  private static void assertCorrupt(Path dir, Path file, String tensor, String problem) {
    CorruptCheckpointException e = corrupt(dir);
    assertThat(e.file()).isEqualTo(file);
    assertThat(e.tensor()).isEqualTo(Optional.ofNullable(tensor));
    assertThat(e)
        .hasMessage(
            tensor == null ? file + ": " + problem : file + ": tensor " + tensor + ": " + problem);
  }
}
