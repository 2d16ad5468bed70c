package dev.rlflow.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvenanceTest {

  @Test
  void roundTripsThroughJson() throws IOException {
    Provenance provenance = new Provenance("quickstart-1", "0123456789abcdef", 42, "0.1.0+abc");

    assertThat(Provenance.fromJson(provenance.toJson())).isEqualTo(provenance);
    assertThat(new String(provenance.toJson(), StandardCharsets.UTF_8))
        .contains("\"run_id\" : \"quickstart-1\"")
        .contains("\"config_hash\" : \"0123456789abcdef\"")
        .contains("\"seed\" : 42")
        .contains("\"code_version\" : \"0.1.0+abc\"");
  }

  @Test
  void recordsTheRunsConfigurationSeedAndCode() {
    RunConfig config = RunConfigLoader.parse("run: {seed: 7}", "test.yaml", Map.of());

    Provenance provenance = Provenance.of(config, "run-7");

    assertThat(provenance.runId()).isEqualTo("run-7");
    assertThat(provenance.configHash()).isEqualTo(config.configHash());
    assertThat(provenance.seed()).isEqualTo(7);
    assertThat(provenance.codeVersion()).isEqualTo(CodeVersion.current()).isNotBlank();
  }

  @Test
  void refusesBlankFields() {
    assertThatThrownBy(() -> new Provenance(" ", "h", 1, "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runId");
    assertThatThrownBy(
            () ->
                Provenance.fromJson(
                    "{\"run_id\":\"r\",\"seed\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void theCodeVersionJoinsWhatIsKnown() {
    assertThat(CodeVersion.of("0.1.0", "abc\n")).isEqualTo("0.1.0+abc");
    assertThat(CodeVersion.of("0.1.0", "")).isEqualTo("0.1.0");
    assertThat(CodeVersion.of("${project.version}", null)).isEqualTo(CodeVersion.UNKNOWN);
    assertThat(CodeVersion.of(null, "abc")).isEqualTo("abc");
  }

  @Test
  void theBuildRecordsTheProjectVersion() {
    assertThat(CodeVersion.current()).startsWith("0.");
  }
}
