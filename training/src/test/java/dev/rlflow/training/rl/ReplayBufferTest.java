package dev.rlflow.training.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayBufferTest {

  @Test
  void writtenEntriesReadBackEqualAndInOrder(@TempDir Path dir) throws IOException {
    ReplayBuffer buffer = new ReplayBuffer(2);
    buffer.addAll(List.of(entry(0, 0.25), entry(1, -1.5), entry(2, 3.0)));
    assertThat(buffer.entries()).containsExactly(entry(1, -1.5), entry(2, 3.0));

    Path file = dir.resolve("replay.bin");
    buffer.write(file);
    ReplayBuffer read = new ReplayBuffer(2);
    read.load(file);
    assertThat(read.entries()).isEqualTo(buffer.entries());
  }

  @Test
  void anotherFormatIsRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("replay.bin");
    Files.write(file, new byte[] {0, 0, 0, 1, 0, 0, 0, 0});
    assertThatThrownBy(() -> new ReplayBuffer(2).load(file))
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
