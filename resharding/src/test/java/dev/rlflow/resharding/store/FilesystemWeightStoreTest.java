package dev.rlflow.resharding.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.rlflow.core.provenance.Provenance;
import dev.rlflow.resharding.checkpoint.CheckpointReader;
import dev.rlflow.resharding.checkpoint.CheckpointWriter;
import dev.rlflow.resharding.checkpoint.CorruptVersionException;
import dev.rlflow.resharding.checkpoint.NDArrayTensors;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filesystem store on file:// (a temporary directory): the {@link WeightStoreContractTest}
 * cases, plus what only a filesystem store has — markers, a second instance standing for another
 * JVM, retention on disk, damaged versions.
 */
class FilesystemWeightStoreTest extends WeightStoreContractTest {
  static final Provenance PROVENANCE = new Provenance("run-fs", "hash", 7, "test");

  @TempDir Path dir;
  private FileSystem fs;
  private org.apache.hadoop.fs.Path root;

  @BeforeEach
  void setUpFileSystem() throws Exception {
    // The raw local filesystem: no .crc side files, so a damaged byte reaches the format's own
    // CRC32C as it would on a filesystem without checksums of its own.
    fs = new RawLocalFileSystem();
    fs.initialize(java.net.URI.create("file:///"), new Configuration());
    root = new org.apache.hadoop.fs.Path(dir.resolve("weights").toUri());
  }

  @Override
  FilesystemWeightStore newStore(int retainedVersions) {
    return new FilesystemWeightStore(fs, root, retainedVersions, PROVENANCE, Device.cpu());
  }

  @Test
  void aVersionIsInvisibleUntilItsMarkerIsWritten() throws Exception {
    try (FilesystemWeightStore store = newStore(3)) {
      new CheckpointWriter(fs, store.directory(0), CheckpointWriter.DEFAULT_MAX_FILE_BYTES)
          .writeRank(0, wholeFragments(0));
      assertThat(store.latestVersion()).isEmpty();
      assertThatThrownBy(() -> store.await(0, Duration.ofMillis(30)))
          .isInstanceOf(TimeoutException.class)
          .hasMessage(
              "Policy version 0 was not published within 30 ms; no version is published yet");
      store.publish(0, live(5));
      try (WeightLease lease = store.await(0, LONG)) {
        assertHolds(lease, 5);
      }
    }
  }

  @Test
  void aReaderOfAnotherJvmSeesTheVersionsOnTheFilesystem() throws Exception {
    try (FilesystemWeightStore trainer = newStore(3);
        FilesystemWeightStore rollout =
            FilesystemWeightStore.open(root.toString(), 3, PROVENANCE)) {
      assertThat(rollout.latestVersion()).isEmpty();
      trainer.publish(0, live(1.5f));
      trainer.publish(1, live(-2f));
      assertThat(rollout.latestVersion()).hasValue(1);
      try (WeightLease lease = rollout.await(1, LONG)) {
        assertHolds(lease, -2f);
        assertThat(lease.weights().device()).isEqualTo(Device.cpu());
      }
      // The version on disk is a universal checkpoint of one bucket file, with its provenance.
      CheckpointReader reader = CheckpointReader.open(fs, trainer.directory(1));
      assertThat(reader.index().info().provenance()).isEqualTo(PROVENANCE);
      assertThat(reader.index().info().policyVersion()).isEqualTo(1);
      try (Stream<Path> files = Files.list(dir.resolve("weights/v1"))) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder(
                "rank-00000-000.safetensors",
                CheckpointWriter.INDEX_FILE,
                CheckpointWriter.MARKER_FILE);
      }
    }
  }

  @Test
  void retentionDeletesTheDirectoriesOfOlderVersions() throws Exception {
    try (FilesystemWeightStore store = newStore(2)) {
      for (int v = 0; v < 4; v++) {
        store.publish(v, live(v));
      }
      try (Stream<Path> versions = Files.list(dir.resolve("weights"))) {
        // Retired versions are renamed away at once and deleted in the background.
        assertThat(versions.map(p -> p.getFileName().toString()))
            .filteredOn(name -> name.startsWith("v"))
            .containsExactlyInAnyOrder("v2", "v3");
      }
    } // closing waits for the deletions
    try (Stream<Path> left = Files.list(dir.resolve("weights"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("v2", "v3");
    }
  }

  @Test
  void aRestartedPublisherReplacesTheVersionsItPublishesAgain() throws Exception {
    try (FilesystemWeightStore first = newStore(5)) {
      for (int v = 0; v < 4; v++) {
        first.publish(v, live(v));
      }
    }
    try (FilesystemWeightStore restarted = newStore(5)) {
      restarted.publish(2, live(20));
      assertThat(restarted.latestVersion()).hasValue(2);
      assertThat(dir.resolve("weights/v3")).doesNotExist();
      try (WeightLease lease = restarted.await(2, LONG)) {
        assertHolds(lease, 20);
      }
      try (WeightLease lease = restarted.await(1, LONG)) {
        assertHolds(lease, 1);
      }
    }
  }

  @Test
  void aDamagedVersionIsANamedFailure() throws Exception {
    try (FilesystemWeightStore store = newStore(2)) {
      store.publish(0, live(3));
      Path fragments = dir.resolve("weights/v0/rank-00000-000.safetensors");
      try (RandomAccessFile file = new RandomAccessFile(fragments.toFile(), "rw")) {
        long last = file.length() - 1;
        file.seek(last);
        int flipped = file.read() ^ 0xff;
        file.seek(last);
        file.write(flipped);
      }
      assertThatThrownBy(() -> store.await(0, LONG))
          .isInstanceOfSatisfying(
              CorruptVersionException.class,
              e ->
                  assertThat(e.reason())
                      .isEqualTo(CorruptVersionException.Reason.CHECKSUM_MISMATCH))
          .hasMessageStartingWith(
              fs.makeQualified(new org.apache.hadoop.fs.Path(fragments.toUri())) + ": tensor ");
    }
  }

  private java.util.Map<String, CheckpointWriter.Fragment> wholeFragments(float value) {
    java.util.Map<String, CheckpointWriter.Fragment> fragments = new java.util.TreeMap<>();
    NDArrayTensors.toBytes(live(value))
        .forEach((name, bytes) -> fragments.put(name, CheckpointWriter.Fragment.whole(bytes)));
    return fragments;
  }
}
