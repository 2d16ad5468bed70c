package dev.rlflow.resharding.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.checkpoint.Safetensors;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trainer's DJL arrays through the checkpoint and back. */
class NDArrayTensorsTest {
  @TempDir java.nio.file.Path tmp;

  @Test
  void arraysRoundTripThroughAVersionAsFp32AndIntegers() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> arrays = new LinkedHashMap<>();
      arrays.put("w", manager.create(new float[] {1.5f, -2f, 0.1f, 3f}, new Shape(2, 2)));
      arrays.put("h", manager.create(new float[] {0.5f, -1f}).toType(DataType.FLOAT16, false));
      arrays.put("step", manager.create(new long[] {7, -1}));
      arrays.put("scale", manager.create(0.25f)); // a scalar: shape []
      FileSystem fs = FileSystem.getLocal(new Configuration());
      Path dir = new Path(tmp.resolve("v1").toUri());
      new CheckpointWriter(fs, dir, CheckpointWriter.DEFAULT_MAX_FILE_BYTES)
          .writeWhole(
              new CheckpointInfo(CheckpointFixture.PROVENANCE, 1, Optional.empty()),
              NDArrayTensors.toBytes(arrays));

      CheckpointReader reader = CheckpointReader.open(fs, dir);
      assertThat(reader.index().tensors().get("h").dtype()).isEqualTo(TensorDtype.F16);
      // Through TensorBytes, and straight from the files into native memory: the same arrays.
      for (Map<String, NDArray> back :
          List.of(
              NDArrayTensors.toArrays(reader.readAll(), manager),
              NDArrayTensors.read(reader, manager))) {
        assertThat(back.get("w").getShape()).isEqualTo(new Shape(2, 2));
        assertThat(back.get("w").toFloatArray()).containsExactly(1.5f, -2f, 0.1f, 3f);
        assertThat(back.get("h").getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(back.get("h").toFloatArray()).containsExactly(0.5f, -1f);
        assertThat(back.get("step").getDataType()).isEqualTo(DataType.INT64);
        assertThat(back.get("step").toLongArray()).containsExactly(7, -1);
        assertThat(back.get("scale").getShape()).isEqualTo(new Shape());
        assertThat(back.get("scale").toFloatArray()).containsExactly(0.25f);
        // Arrays of the manager, usable in computation like any other.
        assertThat(back.get("w").mul(2).toFloatArray()).containsExactly(3f, -4f, 0.2f, 6f);
      }

      // A fragment file is a plain safetensors file: model.checkpoint's reader opens it too.
      Map<String, NDArray> fragment =
          Safetensors.read(tmp.resolve("v1/rank-00000-000.safetensors"), manager).tensors();
      assertThat(fragment.keySet()).containsExactlyInAnyOrder("w", "h", "step", "scale");
      assertThat(fragment.get("w").toFloatArray()).containsExactly(1.5f, -2f, 0.1f, 3f);
      assertThat(fragment.get("step").toLongArray()).containsExactly(7, -1);
    }
  }
}
