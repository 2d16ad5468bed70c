package dev.rlflow.jobs.runner;

import dev.rlflow.core.config.InvalidConfigException;
import dev.rlflow.model.checkpoint.CorruptCheckpointException;
import dev.rlflow.traces.InvalidTraceException;
import dev.rlflow.training.TrainingDivergedException;
import java.io.FileNotFoundException;
import java.nio.file.NoSuchFileException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * Tells failures a restart cannot fix from those it may: operators pass what they throw through
 * {@link #classify}, which wraps the first kind in Flink's {@link SuppressRestartsException}, so
 * the job fails at once with the cause instead of running the restart strategy's attempts first.
 *
 * <p>Deterministic: a bad configuration or input ({@link IllegalArgumentException}, {@link
 * InvalidConfigException}, {@link InvalidTraceException}), a corrupt or missing checkpoint or file
 * ({@link CorruptCheckpointException}, {@link NoSuchFileException}, {@link FileNotFoundException}),
 * a diverged training run (a restart replays it exactly: {@link TrainingDivergedException}), a
 * cluster that cannot run the job ({@link ClusterSetupException}). Everything else — I/O errors, a
 * lost TaskManager, timeouts, injected faults — keeps the restart strategy. The client raises the
 * deterministic kinds it can see before a job starts (the configuration, given checkpoints); this
 * is for the rest, found on a TaskManager.
 */
public final class NonRetriable {
  private static final List<Class<? extends Throwable>> DETERMINISTIC =
      List.of(
          IllegalArgumentException.class,
          InvalidConfigException.class,
          InvalidTraceException.class,
          CorruptCheckpointException.class,
          NoSuchFileException.class,
          FileNotFoundException.class,
          TrainingDivergedException.class,
          ClusterSetupException.class);

  private NonRetriable() {}

  /** Whether {@code failure} or one of its causes is of a kind a restart cannot fix. */
  public static boolean isDeterministic(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = failure; t != null && seen.put(t, true) == null; t = t.getCause()) {
      for (Class<? extends Throwable> kind : DETERMINISTIC) {
        if (kind.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code failure}, wrapped so that Flink does not restart for it when it is deterministic. */
  public static Exception classify(Exception failure) {
    return suppress(failure) ? new SuppressRestartsException(failure) : failure;
  }

  /** {@code failure}, wrapped so that Flink does not restart for it when it is deterministic. */
  public static RuntimeException classify(RuntimeException failure) {
    return suppress(failure) ? new SuppressRestartsException(failure) : failure;
  }

  /** {@code failure} (an error or exception), wrapped when it is deterministic. */
  public static Throwable classify(Throwable failure) {
    return suppress(failure) ? new SuppressRestartsException(failure) : failure;
  }

  private static boolean suppress(Throwable failure) {
    return !(failure instanceof SuppressRestartsException) && isDeterministic(failure);
  }
}
