package dev.rlflow.jobs.runner;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import java.io.Serializable;
import java.util.Map;

/**
 * What an operator needs to know about its run, in a form that travels inside the job graph: the
 * resolved configuration as YAML (parsed again in the operator, so operators see exactly what the
 * client validated) and the run directory.
 *
 * @param configYaml {@link RunConfig#toYaml()}
 * @param source where the configuration came from
 * @param runDirectory the run directory's URI
 */
public record RunContext(String configYaml, String source, String runDirectory)
    implements Serializable {

  public static RunContext of(RunConfig config, RunDirectory run) {
    return new RunContext(config.toYaml(), config.source(), run.path().toString());
  }

  /** The run's id: the run directory's name ({@link RunDirectory}). */
  public String runId() {
    return new org.apache.flink.core.fs.Path(runDirectory).getName();
  }

  /** The configuration, parsed again. */
  public RunConfig config() {
    return RunConfigLoader.parse(configYaml, source, Map.of());
  }

  /** {@code relative} inside the run directory, on the run directory's filesystem. */
  public org.apache.flink.core.fs.Path resolve(String relative) {
    return new org.apache.flink.core.fs.Path(
        new org.apache.flink.core.fs.Path(runDirectory), relative);
  }
}
