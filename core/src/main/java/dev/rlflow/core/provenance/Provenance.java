package dev.rlflow.core.provenance;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.config.RunConfig;
import java.io.IOException;
import java.util.Objects;

/**
 * Where a trained artefact (a checkpoint, a PRM) came from: the run, its configuration, its seed
 * and the code (STYLE.md principle 5). Recorded beside the artefact so a result can be traced to
 * the run that made it and reproduced.
 *
 * @param runId the run's id, the name of its run directory
 * @param configHash {@link RunConfig#configHash()} of the resolved configuration
 * @param seed {@code run.seed}
 * @param codeVersion the project version and git commit of the code ({@link CodeVersion})
 */
public record Provenance(
    @JsonProperty("run_id") String runId,
    @JsonProperty("config_hash") String configHash,
    @JsonProperty("seed") long seed,
    @JsonProperty("code_version") String codeVersion) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public Provenance {
    requireText(runId, "runId");
    requireText(configHash, "configHash");
    requireText(codeVersion, "codeVersion");
  }

  /** The provenance of what run {@code runId} of {@code config} makes with this code. */
  public static Provenance of(RunConfig config, String runId) {
    return new Provenance(runId, config.configHash(), config.run().seed(), CodeVersion.current());
  }

  /** This provenance as a pretty-printed JSON object with snake_case keys. */
  public byte[] toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A record of strings and a long always serialises", e);
    }
  }

  /**
   * The provenance in {@code json}, as {@link #toJson()} writes it.
   *
   * @throws IOException when it is not JSON, or a field is missing or blank
   */
  public static Provenance fromJson(byte[] json) throws IOException {
    return JSON.readValue(json, Provenance.class);
  }

  private static void requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException("Invalid value '' for " + name + ": must not be blank");
    }
  }
}
