package dev.rlflow.jobs.runner;

/**
 * The Flink cluster a command submits to cannot run rlflow's jobs as it is set up (DJL missing from
 * its {@code lib/}, DJL in the job jar, PyTorch's engine not loading): a person has to change the
 * cluster or the jar, so nothing is retried. The message says what to change.
 */
public final class ClusterSetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ClusterSetupException(String message) {
    super(message);
  }
}
