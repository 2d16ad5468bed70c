package dev.rlflow.core.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/**
 * The version of the code that is running: the project version, plus the git commit when the build
 * was given one ({@code 0.1.0-SNAPSHOT+3f2a…}, from {@code mvn -Drlflow.git.commit=…}). Both come
 * from a resource the build writes beside this class; without it (an IDE's build) the jar
 * manifest's version or {@link #UNKNOWN}. Reading them never fails a run.
 */
public final class CodeVersion {
  /** The code version when the build recorded none. */
  public static final String UNKNOWN = "unknown";

  private static final String VERSION_RESOURCE = "code-version.properties";
  private static final String CURRENT = read();

  private CodeVersion() {}

  /** This code's version, read once per JVM. */
  public static String current() {
    return CURRENT;
  }

  /**
   * The version string of {@code version} and {@code commit}, either possibly blank: {@code
   * version+commit}, the one that is known, or {@link #UNKNOWN}.
   */
  static String of(String version, String commit) {
    String v = known(version).orElse("");
    String c = known(commit).orElse("");
    if (v.isEmpty() && c.isEmpty()) {
      return UNKNOWN;
    }
    return v.isEmpty() ? c : c.isEmpty() ? v : v + "+" + c;
  }

  private static String read() {
    Properties properties = new Properties();
    try (InputStream in = CodeVersion.class.getResourceAsStream(VERSION_RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      properties.clear(); // unknown: provenance never fails a run
    }
    String version = properties.getProperty("version");
    if (known(version).isEmpty()) {
      version = CodeVersion.class.getPackage().getImplementationVersion();
    }
    return of(version, properties.getProperty("commit"));
  }

  /** The trimmed value, absent when blank or an unfiltered {@code ${placeholder}}. */
  private static Optional<String> known(String value) {
    if (value == null || value.isBlank() || value.contains("${")) {
      return Optional.empty();
    }
    return Optional.of(value.strip());
  }
}
