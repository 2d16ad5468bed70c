package dev.rlflow.jobs.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.InvalidConfigException;
import dev.rlflow.model.checkpoint.CorruptCheckpointException;
import dev.rlflow.training.TrainingDivergedException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.throwable.ThrowableClassifier;
import org.apache.flink.runtime.throwable.ThrowableType;
import org.junit.jupiter.api.Test;

/**
 * What {@link NonRetriable#classify} hands Flink is judged the way Flink's failure handler judges
 * it ({@link ThrowableClassifier}): deterministic kinds as non-recoverable, the rest as failures
 * the restart strategy retries.
 */
class NonRetriableTest {
  @Test
  void deterministicFailuresAreNotRecoverable() {
    for (Exception failure :
        new Exception[] {
          new IllegalArgumentException("Too few labels to fit the score stack on: 39"),
          new InvalidConfigException(
              "it.yaml", java.util.List.of("Invalid value 0 for sft.updates: must be >= 1")),
          new CorruptCheckpointException(Path.of("model.safetensors"), "truncated"),
          new NoSuchFileException("/runs/x/checkpoints/sft"),
          new TrainingDivergedException(12, Double.NaN, Double.NaN, 5),
          new ClusterSetupException("DJL is not on the cluster's class path"),
          // wrapped as Flink and DJL wrap them
          new IOException("cannot load", new CorruptCheckpointException(Path.of("x"), "bad")),
          new RuntimeException(new IllegalArgumentException("bad input"))
        }) {
      Exception classified = NonRetriable.classify(failure);
      assertThat(classified).as(failure.toString()).isInstanceOf(SuppressRestartsException.class);
      assertThat(classified.getCause()).isSameAs(failure);
      assertThat(notRecoverable(classified)).as(failure.toString()).isTrue();
    }
  }

  @Test
  void transientFailuresKeepTheRestartStrategy() {
    for (Exception failure :
        new Exception[] {
          new IOException("Connection reset by peer"),
          new TimeoutException("weights of version 3 not published in 600 s"),
          new IllegalStateException("injected failure at batch 2"),
          new RuntimeException("TaskManager lost")
        }) {
      assertThat(NonRetriable.classify(failure)).as(failure.toString()).isSameAs(failure);
      assertThat(notRecoverable(failure)).as(failure.toString()).isFalse();
    }
    Error error = new OutOfMemoryError("Java heap space");
    assertThat(NonRetriable.classify((Throwable) error)).isSameAs(error);
  }

  @Test
  void anAlreadySuppressedFailureIsNotWrappedTwice() {
    SuppressRestartsException once =
        new SuppressRestartsException(new IllegalArgumentException("x"));
    assertThat(NonRetriable.classify(once)).isSameAs(once);
  }

  private static boolean notRecoverable(Throwable failure) {
    return ThrowableClassifier.findThrowableOfThrowableType(
            failure, ThrowableType.NonRecoverableError)
        .isPresent();
  }
}
