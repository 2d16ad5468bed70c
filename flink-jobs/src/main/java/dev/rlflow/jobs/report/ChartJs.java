package dev.rlflow.jobs.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Properties;

/**
 * Chart.js as shipped in its webjar: the version and the UMD bundle's source.
 *
 * @param version the webjar's version
 * @param source the UMD bundle's JavaScript
 */
record ChartJs(String version, String source) {
  private static final String WEBJAR = "META-INF/resources/webjars/chart.js/";
  private static final String POM = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

  /** Chart.js from the {@code org.webjars.npm:chart.js} jar; empty without that jar. */
  static Optional<ChartJs> fromClasspath() {
    ClassLoader loader = ChartJs.class.getClassLoader();
    try (InputStream pom = loader.getResourceAsStream(POM)) {
      if (pom == null) {
        return Optional.empty();
      }
      Properties props = new Properties();
      props.load(pom);
      String version = props.getProperty("version");
      try (InputStream js = loader.getResourceAsStream(WEBJAR + version + "/dist/chart.umd.js")) {
        if (js == null) {
          return Optional.empty();
        }
        return Optional.of(
            new ChartJs(version, new String(js.readAllBytes(), StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Chart.js from its webjar", e);
    }
  }
}
