package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The CONFIG argument and {@code -Dkey.path=value} overrides shared by every job command. */
final class ConfigSource {
  /** The quickstart configuration, from the working directory or else bundled in the jar. */
  static final String QUICKSTART = "conf/quickstart.yaml";

  @Parameters(
      index = "0",
      paramLabel = "CONFIG",
      description = "Run configuration (YAML), e.g. conf/quickstart.yaml.")
  Path config;

  @Option(
      names = "-D",
      paramLabel = "key.path=value",
      description = "Override a configuration key, e.g. -Drollout.temperature=0.7.")
  Map<String, String> overrides = new LinkedHashMap<>();

  RunConfig load() {
    return RunConfigLoader.load(config, overrides);
  }

  /** Loads {@code conf/quickstart.yaml} from the working directory, or the jar's copy. */
  static RunConfig loadQuickstart(Map<String, String> overrides) throws IOException {
    Path local = Path.of(QUICKSTART);
    if (Files.isRegularFile(local)) {
      return RunConfigLoader.load(local, overrides);
    }
    try (InputStream in = ConfigSource.class.getResourceAsStream("/" + QUICKSTART)) {
      if (in == null) {
        throw new IOException(QUICKSTART + " is neither in the working directory nor in the jar");
      }
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return RunConfigLoader.parse(yaml, QUICKSTART + " (bundled)", overrides);
    }
  }
}
