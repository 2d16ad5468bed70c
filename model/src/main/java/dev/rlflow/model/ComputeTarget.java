package dev.rlflow.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.config.PolicyConfig;

/**
 * Where a model runs and in which precision, as the run configuration asks: FP32 on CPU, FP16 on
 * GPU by default (DJL 0.35.1 has no bfloat16; the trainer keeps FP32 master weights).
 *
 * @param device the DJL device
 * @param dtype the compute precision
 */
public record ComputeTarget(Device device, DataType dtype) {

  /** The target for {@code policy} on this machine (GPUs counted by the engine). */
  public static ComputeTarget of(PolicyConfig policy) {
    return of(policy, Engine.getInstance().getGpuCount());
  }

  /** The target for {@code policy} given {@code gpus} visible GPUs. */
  public static ComputeTarget of(PolicyConfig policy, int gpus) {
    return of(policy.device(), policy.dtype(), gpus);
  }

  /** The target for a device and dtype choice on this machine. */
  public static ComputeTarget of(PolicyConfig.Device device, PolicyConfig.Dtype dtype) {
    return of(device, dtype, Engine.getInstance().getGpuCount());
  }

  /** The target for a device and dtype choice given {@code gpus} visible GPUs. */
  public static ComputeTarget of(
      PolicyConfig.Device device, PolicyConfig.Dtype precision, int gpus) {
    boolean gpu =
        switch (device) {
          case AUTO -> gpus > 0;
          case CPU -> false;
          case GPU -> {
            if (gpus == 0) {
              throw new IllegalArgumentException(
                  "Invalid value gpu for policy.device: no GPU is visible to the PyTorch engine"
                      + " (use auto or cpu, or a machine with CUDA natives)");
            }
            yield true;
          }
        };
    DataType dtype =
        switch (precision) {
          case AUTO -> gpu ? DataType.FLOAT16 : DataType.FLOAT32;
          case FP32 -> DataType.FLOAT32;
          case FP16 -> DataType.FLOAT16;
        };
    return new ComputeTarget(gpu ? Device.gpu() : Device.cpu(), dtype);
  }
}
