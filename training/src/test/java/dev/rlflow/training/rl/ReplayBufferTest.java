package dev.rlflow.training.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

  @Test
  void writtenEntriesReadBackEqualAndInOrder() throws IOException {
    ReplayBuffer buffer = new ReplayBuffer(2);
    buffer.addAll(List.of(entry(0, 0.25), entry(1, -1.5), entry(2, 3.0)));
    assertThat(buffer.entries()).containsExactly(entry(1, -1.5), entry(2, 3.0));

    ReplayBuffer read = new ReplayBuffer(2);
    read.load(buffer.toBytes());
    assertThat(read.entries()).isEqualTo(buffer.entries());
  }

  @Test
  void anotherFormatIsRefused() {
    assertThatThrownBy(() -> new ReplayBuffer(2).load(new byte[] {0, 0, 0, 1, 0, 0, 0, 0}))
        .isInstanceOf(IOException.class)
        .hasMessageEndingWith("has format 1, this version reads 2");
  }

  private static ReplayBuffer.Entry entry(int group, double stepReward) {
    Prompt prompt = new Prompt(group, "p" + group, "question " + group, "4", new int[] {1, 2});
    Response response =
        new Response(
            prompt, new int[] {5, 6, 0}, new float[] {-0.5f, -1f, -0.25f}, new int[] {1, 2});
    return new ReplayBuffer.Entry(
        new ScoredResponse(response, true, 1.0, new double[] {stepReward, 0}),
        new double[] {-0.4, -0.9, -0.3},
        new double[] {1, 1, 0});
  }
}
