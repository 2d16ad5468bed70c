/**
 * The universal checkpoint (ALGORITHMS.md §7, after Universal Checkpointing): each rank writes its
 * own fragments as safetensors files ({@link dev.rlflow.resharding.checkpoint.CheckpointWriter}),
 * one party commits a JSON index ({@link dev.rlflow.resharding.checkpoint.CheckpointIndex}:
 * provenance, per tensor its global shape, dtype and fragments with byte ranges, offsets and
 * CRC32C) and then a commit marker holding the index's CRC32C. {@link
 * dev.rlflow.resharding.checkpoint.CheckpointReader} loads a tensor whole or any box of it (a
 * target layout's shard) reading only the bytes it needs, on any Hadoop FileSystem (file://,
 * hdfs://).
 *
 * <p>Tensors are {@link dev.rlflow.resharding.checkpoint.TensorBytes} (dtype, shape, little-endian
 * bytes), so the format needs no engine; {@link dev.rlflow.resharding.checkpoint.NDArrayTensors}
 * adapts DJL arrays. Adam moments are tensors like any other, named {@code
 * optimizer/exp_avg/<name>} and {@code optimizer/exp_avg_sq/<name>}. A damaged version raises
 * {@link dev.rlflow.resharding.checkpoint.CorruptVersionException} (do not retry), an invisible one
 * {@link dev.rlflow.resharding.checkpoint.UncommittedVersionException}.
 */
package dev.rlflow.resharding.checkpoint;
