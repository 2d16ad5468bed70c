package dev.rlflow.resharding.checkpoint;

import java.util.Objects;

/**
 * Where one fragment of a tensor lies: the rank that wrote it, its file in the version directory,
 * its bytes there and the box of the global tensor they hold (C order), with their CRC32C.
 *
 * @param rank the writing rank
 * @param file the fragment file's name inside the version directory
 * @param begin file position of the fragment's first byte
 * @param end file position after its last byte
 * @param region the box of the global tensor it holds
 * @param crc32c CRC32C of bytes [begin, end)
 */
public record FragmentEntry(
    int rank, String file, long begin, long end, TensorRegion region, long crc32c) {

  public FragmentEntry {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(region, "region");
    if (rank < 0 || begin < 0 || end < begin || crc32c < 0 || crc32c > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          "Invalid fragment of "
              + file
              + ": need rank >= 0, 0 <= begin <= end and a 32-bit unsigned crc32c, found rank "
              + rank
              + ", bytes ["
              + begin
              + ", "
              + end
              + "), crc32c "
              + crc32c);
    }
  }

  /** Bytes the fragment occupies. */
  public long bytes() {
    return end - begin;
  }
}
