package dev.rlflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.core.config.RunConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComputeTargetTest {
  private static PolicyConfig policy(String device, String dtype) {
    return RunConfigLoader.parse(
            "policy: {device: " + device + ", dtype: " + dtype + "}", "t.yaml", Map.of())
        .policy();
  }

  @Test
  void defaultsAreFp32OnCpuAndFp16OnGpu() {
    assertThat(ComputeTarget.of(policy("auto", "auto"), 0))
        .isEqualTo(new ComputeTarget(Device.cpu(), DataType.FLOAT32));
    assertThat(ComputeTarget.of(policy("auto", "auto"), 1))
        .isEqualTo(new ComputeTarget(Device.gpu(), DataType.FLOAT16));
    assertThat(ComputeTarget.of(policy("cpu", "auto"), 4))
        .isEqualTo(new ComputeTarget(Device.cpu(), DataType.FLOAT32));
    assertThat(ComputeTarget.of(policy("gpu", "fp32"), 1).dtype()).isEqualTo(DataType.FLOAT32);
  }

  @Test
  void askingForAMissingGpuIsAClearError() {
    assertThatThrownBy(() -> ComputeTarget.of(policy("gpu", "auto"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid value gpu for policy.device: no GPU is visible");
  }
}
