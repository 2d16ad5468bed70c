/**
 * Hugging Face checkpoint IO: the safetensors format ({@link
 * dev.rlflow.model.checkpoint.Safetensors}), checkpoint directories with {@code config.json} and
 * sharded weights and the provenance of what rlflow trained ({@link
 * dev.rlflow.model.checkpoint.HfCheckpoint}), the parameter names shared with the model code
 * ({@link dev.rlflow.model.checkpoint.HfLayout}), and the deletion of a checkpoint tree ({@link
 * dev.rlflow.model.checkpoint.DirectoryTree}).
 *
 * <p>Floating-point tensors always reach DJL as FP32: bfloat16 aborts DJL's PyTorch engine, so BF16
 * (and F16) are widened in Java on load. A file that cannot be loaded as it is raises {@link
 * dev.rlflow.model.checkpoint.CorruptCheckpointException} (do not retry); an {@link
 * java.io.IOException} is an I/O failure that may pass.
 */
package dev.rlflow.model.checkpoint;
