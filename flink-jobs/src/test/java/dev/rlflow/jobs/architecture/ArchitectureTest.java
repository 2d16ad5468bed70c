package dev.rlflow.jobs.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The architecture rules of docs/architecture.md, checked over the main classes of every module
 * (all of them are on flink-jobs' test class path): no cycle between packages, the module arrows of
 * the dependency table, and no long class without a stated reason.
 */
class ArchitectureTest {
  /** Lines a main source file may have before its class Javadoc must say why it is longer. */
  static final int MAX_LINES = 350;

  /** The sentence opening that states why a class is longer than {@link #MAX_LINES}. */
  static final String LONG_BECAUSE = "Long because";

  private static JavaClasses mainClasses;

  /**
   * A module of the build: its package root, the modules it may import and the libraries it must
   * not import (docs/architecture.md's table).
   */
  enum Module {
    CORE(
        "dev.rlflow.core",
        List.of(),
        "org.apache.flink",
        "ai.djl",
        "org.apache.hadoop",
        "org.apache.kafka"),
    MODEL("dev.rlflow.model", List.of("CORE"), "org.apache.flink"),
    ROLLOUT("dev.rlflow.rollout", List.of("CORE", "MODEL"), "org.apache.flink"),
    TRAINING("dev.rlflow.training", List.of("CORE", "MODEL", "ROLLOUT"), "org.apache.flink"),
    RESHARDING("dev.rlflow.resharding", List.of("CORE", "MODEL"), "org.apache.flink"),
    REWARD_MODELS(
        "dev.rlflow.reward", List.of("CORE", "MODEL", "ROLLOUT", "TRAINING"), "org.apache.flink"),
    TRACES("dev.rlflow.traces", List.of(), "org.apache.flink", "ai.djl"),
    FLINK_JOBS(
        "dev.rlflow.jobs",
        List.of("CORE", "MODEL", "ROLLOUT", "TRAINING", "RESHARDING", "REWARD_MODELS", "TRACES"));

    final String root;
    final List<String> allowed;
    final List<String> bannedLibraries;

    Module(String root, List<String> allowed, String... bannedLibraries) {
      this.root = root;
      this.allowed = allowed;
      this.bannedLibraries = List.of(bannedLibraries);
    }

    /** ArchUnit package patterns of the rlflow modules this one must not import. */
    String[] forbiddenModules() {
      return Arrays.stream(values())
          .filter(other -> other != this && !allowed.contains(other.name()))
          .map(other -> other.root + "..")
          .toArray(String[]::new);
    }
  }

  @BeforeAll
  static void importMainClasses() {
    mainClasses =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.rlflow");
  }

  @Test
  void everyModuleIsImported() {
    for (Module module : Module.values()) {
      assertThat(mainClasses.containPackage(module.root)).as(module.root).isTrue();
    }
  }

  /** Each package is a slice: any two packages that import each other, directly or not, fail. */
  @Test
  void noCycleBetweenPackages() {
    slices().matching("dev.rlflow.(**)").should().beFreeOfCycles().check(mainClasses);
  }

  @ParameterizedTest
  @EnumSource(Module.class)
  void moduleImportsOnlyTheModulesItsArrowsAllow(Module module) {
    String[] forbidden = module.forbiddenModules();
    if (forbidden.length > 0) {
      noClasses()
          .that()
          .resideInAPackage(module.root + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(forbidden)
          .because("docs/architecture.md: " + module.root + " may import " + module.allowed)
          .check(mainClasses);
    }
  }

  @ParameterizedTest
  @EnumSource(Module.class)
  void moduleImportsNoBannedLibrary(Module module) {
    for (String library : module.bannedLibraries) {
      noClasses()
          .that()
          .resideInAPackage(module.root + "..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(library + "..")
          .because("docs/architecture.md: " + module.root + " must not import " + library)
          .check(mainClasses);
    }
  }

  @Test
  void onlyFlinkJobsImportsFlink() {
    noClasses()
        .that()
        .resideOutsideOfPackage(Module.FLINK_JOBS.root + "..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.flink..")
        .check(mainClasses);
  }

  /**
   * A main source file longer than {@link #MAX_LINES} lines needs a class Javadoc with a sentence
   * that starts "Long because" (docs/architecture.md, "Class length").
   */
  @Test
  void longClassesStateWhy() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Path source : mainSources()) {
      List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
      if (lines.size() > MAX_LINES && !statesWhyLong(classJavadoc(lines))) {
        violations.add(source.normalize() + ": " + lines.size() + " lines");
      }
    }
    assertThat(violations)
        .as(
            "Main classes over %d lines whose class Javadoc has no sentence starting \"%s\"",
            MAX_LINES, LONG_BECAUSE)
        .isEmpty();
  }

  @Test
  void classJavadocIsTheCommentBeforeTheTypeDeclaration() {
    List<String> source =
        List.of(
            "package x;",
            "/** Not this one. */",
            "import y.Z;",
            "/**",
            " * Holds things. Long because the table",
            " * is written out.",
            " */",
            "@SuppressWarnings(\"unused\")",
            "public final class Thing {",
            "  /** A field. */",
            "  int field;",
            "}");
    assertThat(classJavadoc(source)).startsWith("Holds things. Long because");
    assertThat(statesWhyLong(classJavadoc(source))).isTrue();
    assertThat(statesWhyLong("Holds things; not long because of anything.")).isFalse();
    assertThat(statesWhyLong("<p>Long because every section is one method.")).isTrue();
    assertThat(classJavadoc(List.of("final class Bare {", "}"))).isEmpty();
  }

  private static final Pattern TYPE_DECLARATION =
      Pattern.compile(
          "^(public |protected |private |abstract |final |sealed |non-sealed |static |strictfp )*"
              + "(class|record|interface|enum|@interface) .*");

  private static final Pattern LONG_SENTENCE =
      Pattern.compile("(^|[.!?:]\\s+|<p>\\s*)" + LONG_BECAUSE + "\\b");

  /** The text of the Javadoc comment just before the first top-level type declaration. */
  static String classJavadoc(List<String> lines) {
    int declaration = 0;
    while (declaration < lines.size()
        && !TYPE_DECLARATION.matcher(lines.get(declaration)).matches()) {
      declaration++;
    }
    int end = declaration - 1;
    while (end >= 0 && lines.get(end).startsWith("@")) {
      end--; // annotations between the Javadoc and the declaration
    }
    if (end < 0 || !lines.get(end).trim().endsWith("*/")) {
      return "";
    }
    int start = end;
    while (start >= 0 && !lines.get(start).trim().startsWith("/**")) {
      start--;
    }
    if (start < 0) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    for (String line : lines.subList(start, end + 1)) {
      text.append(
              line.trim()
                  .replaceFirst("^/\\*\\*", "")
                  .replaceFirst("\\*/$", "")
                  .replaceFirst("^\\*", "")
                  .trim())
          .append(' ');
    }
    return text.toString().replaceAll("\\s+", " ").trim();
  }

  static boolean statesWhyLong(String javadoc) {
    Matcher matcher = LONG_SENTENCE.matcher(javadoc);
    return matcher.find();
  }

  /** Every module's {@code src/main/java} sources, read from flink-jobs' working directory. */
  private static List<Path> mainSources() throws IOException {
    List<Path> sources = new ArrayList<>();
    for (Module module : Module.values()) {
      Path root =
          Path.of(
              "..",
              module.name().toLowerCase(Locale.ROOT).replace('_', '-'),
              "src",
              "main",
              "java");
      assertThat(root).as("sources of %s", module).isDirectory();
      try (Stream<Path> files = Files.walk(root)) {
        files.filter(file -> file.toString().endsWith(".java")).sorted().forEach(sources::add);
      }
    }
    return sources;
  }
}
