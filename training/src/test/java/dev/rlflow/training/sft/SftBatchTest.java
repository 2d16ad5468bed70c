package dev.rlflow.training.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.tokenizer.CharTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SftBatchTest {

  @Test
  void shiftsPadsOnTheRightAndMasksResponseTargets() {
    // A: [1 7 8 | 9 2] -> inputs 1 7 8 9, targets 7 8 9 2, counted from input 2 (P - 1).
    // B: [1 5 | 2]     -> inputs 1 5, targets 5 2, counted from input 1; padded to T = 4 with 0.
    SftExample a = new SftExample(new int[] {1, 7, 8}, new int[] {9, 2});
    SftExample b = new SftExample(new int[] {1, 5}, new int[] {2});
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      SftBatch batch = SftBatch.of(List.of(a, b), 0, manager);

      assertThat(batch.tokens().getShape()).isEqualTo(new Shape(2, 4));
      assertThat(batch.tokens().getDataType()).isEqualTo(DataType.INT64);
      assertThat(batch.tokens().toLongArray()).containsExactly(1, 7, 8, 9, 1, 5, 0, 0);
      assertThat(batch.valid().toFloatArray()).containsExactly(1, 1, 1, 1, 1, 1, 0, 0);
      assertThat(batch.targets().toLongArray()).containsExactly(7, 8, 9, 2, 5, 2, 0, 0);
      assertThat(batch.mask().toFloatArray()).containsExactly(0, 0, 1, 1, 0, 1, 0, 0);
      assertThat(batch.countedTokens()).isEqualTo(3);
      assertThat(batch.input(DataType.FLOAT32).attentionBias().getShape())
          .isEqualTo(new Shape(2, 1, 4, 4));
    }
  }

  @Test
  void examplesEncodeBosPromptResponseEos() {
    CharTokenizer tokenizer = new CharTokenizer();
    SftExample example = SftExample.encode(tokenizer, "1+2", "3");

    assertThat(example.prompt()).containsExactly(1, 8, 17, 9);
    assertThat(example.response()).containsExactly(10, 2);
    assertThat(example.length()).isEqualTo(6);
    assertThat(example).isEqualTo(new SftExample(new int[] {1, 8, 17, 9}, new int[] {10, 2}));
  }

  @Test
  void rejectsEmptyParts() {
    assertThatThrownBy(() -> new SftExample(new int[0], new int[] {2}))
        .hasMessageContaining("for prompt");
    assertThatThrownBy(() -> new SftExample(new int[] {1}, new int[0]))
        .hasMessageContaining("for response");
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      assertThatThrownBy(() -> SftBatch.of(List.of(), 0, manager))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
