package dev.rlflow.reward.critic;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.reward.TinyModels;
import dev.rlflow.reward.prm.ProcessRewardModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The critic and the PRM start from the policy's backbone and read it through one code path. */
class CriticTest {
  @TempDir Path dir;

  @Test
  void startsFromThePolicysBackboneWithAValuePerResponseToken() throws Exception {
    Path policyDir = dir.resolve("policy");
    ComputeTarget cpu = new ComputeTarget(Device.cpu(), DataType.FLOAT32);
    try (TransformerModel policy = TinyModels.create(TransformerModel.Head.LM, 1)) {
      policy.save(policyDir, Long.MAX_VALUE);
      try (Critic critic = Critic.fromPolicy(policyDir, cpu, 9, 4)) {
        String name = "model.layers.1.mlp.down_proj.weight";
        assertThat(critic.model().weights().get(name).toFloatArray())
            .containsExactly(policy.weights().get(name).toFloatArray());
        float[][] values = critic.values(List.of(new int[] {1, 5, 6}), List.of(new int[] {7, 8}));
        assertThat(values).hasDimensions(1, 2);
      }
      assertThat(
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> ProcessRewardModel.load(policyDir, cpu, 4)))
          .hasMessageContaining("Not a PRM checkpoint")
          .hasMessageContaining("prm.json");
    }
  }
}
