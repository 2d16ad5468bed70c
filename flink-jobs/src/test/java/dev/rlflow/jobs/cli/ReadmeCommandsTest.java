package dev.rlflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.runner.ClusterCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Every command in README.md runs as written: each command line of its shell code blocks parses
 * against the {@code rlflow} command tree (no unknown command or option, required parameters
 * present), its configuration with its {@code -D} overrides is valid, and every input file it names
 * exists; the commands table names real commands and options, and lists every command. The cheap
 * commands ({@code config check}, {@code data sample}) are also run.
 *
 * <p>Paths under {@code runs/} are what a run writes and {@code flink-jobs/target/} what the build
 * writes, so they are not looked for. ITCases run the rest: {@code flink run ... dataset}
 * (PackagedJarsITCase, through a packaged program), {@code submit} and {@code flink run ...
 * sft|eval} (StandaloneClusterITCase, on separate JVMs), {@code traces tail --dir}
 * (PackagedJarsITCase), {@code run --control} and {@code compare} (RlhfITCase).
 */
class ReadmeCommandsTest {
  private static final Path ROOT = Path.of("..");
  private static final String THIN_JAR = "flink-jobs/target/rlflow-flink.jar";

  /** Options whose value is a file the command writes, not one it reads. */
  private static final Set<String> OUTPUT_OPTIONS = Set.of("--json");

  /** Path prefixes of what runs and builds produce. */
  private static final List<String> PRODUCED = List.of("runs/", "flink-jobs/target/");

  private static final Set<String> MAVEN_PHASES =
      Set.of("clean", "compile", "test", "package", "verify", "spotless:apply");

  @Test
  void everyCommandLineOfTheReadmeIsChecked() throws IOException {
    List<String> lines = shellCommands(readme());
    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      List<String> words = words(line);
      switch (words.get(0)) {
        case "./rlflow" -> checkRlflow(line, words.subList(1, words.size()));
        case "flink" -> {
          assertThat(words.subList(0, 3)).as(line).containsExactly("flink", "run", THIN_JAR);
          checkRlflow(line, words.subList(3, words.size()));
        }
        case "mvn" -> {
          assertThat(ROOT.resolve("pom.xml")).isRegularFile();
          for (String word : words.subList(1, words.size())) {
            assertThat(word.startsWith("-") || MAVEN_PHASES.contains(word))
                .as("%s: %s is no Maven phase this project uses", line, word)
                .isTrue();
          }
        }
        default ->
            fail(
                "README.md runs '%s', which this test does not know how to check: add a case",
                line);
      }
    }
  }

  @Test
  void clusterSectionListsTheJarsTheClusterCheckRequires() throws IOException {
    String readme = readme();
    String section =
        readme.substring(
            readme.indexOf("## On a Flink cluster"),
            readme.indexOf("\n## ", readme.indexOf("## On a Flink cluster") + 1));
    Set<String> listed = new LinkedHashSet<>();
    Matcher jar = Pattern.compile("`([a-z][\\w.-]*:[\\w.-]+:[\\w.:-]+)`").matcher(section);
    while (jar.find()) {
      listed.add(jar.group(1));
    }
    assertThat(listed).containsExactlyInAnyOrderElementsOf(ClusterCheck.requiredJars());
    assertThat(section).contains("rlflow cluster check").contains("StandaloneClusterITCase");
  }

  @Test
  void cheapCommandsRunAndSucceed() throws IOException {
    for (String line : shellCommands(readme())) {
      List<String> words = words(line);
      if (!words.get(0).equals("./rlflow")) {
        continue;
      }
      String command = words.get(1) + (words.size() > 2 ? " " + words.get(2) : "");
      if (command.equals("config check") || command.equals("data sample")) {
        List<String> args = new ArrayList<>(words.subList(1, words.size()));
        args.replaceAll(arg -> arg.startsWith("conf/") ? ROOT.resolve(arg).toString() : arg);
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as("%s\n%s", line, run.err()).isZero();
      }
    }
  }

  @Test
  void commandsTableNamesRealCommandsAndOptionsAndListsEveryCommand() throws IOException {
    Set<String> listed = new LinkedHashSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `([a-z][^`]*)` \\|").matcher(readme());
    while (row.find()) {
      String synopsis = row.group(1).replace("\\|", " ");
      // The commands a row names: a path of subcommands, whose last step may list alternatives
      // (`checkpoint inspect|verify|convert`).
      List<CommandSpec> named =
          new ArrayList<>(List.of(RlflowCommand.commandLine().getCommandSpec()));
      for (String word : synopsis.split("\\s+")) {
        CommandLine sub = named.get(0).subcommands().get(word);
        CommandLine sibling =
            named.get(0).parent() == null ? null : named.get(0).parent().subcommands().get(word);
        if (sub != null && named.size() == 1) {
          named.set(0, sub.getCommandSpec());
        } else if (sibling != null) {
          named.add(sibling.getCommandSpec());
        } else {
          break;
        }
      }
      for (CommandSpec spec : named) {
        assertThat(spec.parent()).as("`%s` names no rlflow command", synopsis).isNotNull();
        listed.add(spec.qualifiedName(" ").replaceFirst("^rlflow ", ""));
      }
      Matcher option = Pattern.compile("(?<![\\w-])(--[a-z][a-z-]*|-D)").matcher(synopsis);
      while (option.find()) {
        String name = option.group(1);
        assertThat(named.stream().anyMatch(spec -> spec.findOption(name) != null))
            .as("`%s`: %s is no option of %s", synopsis, name, named.get(0).qualifiedName())
            .isTrue();
      }
    }
    assertThat(listed).containsAll(leafCommands(RlflowCommand.commandLine()));
  }

  @Test
  void readmeAndDocsLinkOnlyInsideTheRepository() throws IOException {
    List<Path> documents = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    Path root = ROOT.toAbsolutePath().normalize();
    for (Path document : documents) {
      String text = Files.readString(document, StandardCharsets.UTF_8);
      assertThat(text).as("%s points outside the repository", document).doesNotContain("../shared");
      Matcher link = Pattern.compile("\\]\\(([^)\\s]+)\\)").matcher(text);
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("[a-z]+://.*")) {
          continue; // a web page, not a file
        }
        String[] parts = target.split("#", 2);
        Path file =
            parts[0].isEmpty()
                ? document.toAbsolutePath().normalize()
                : document.toAbsolutePath().getParent().resolve(parts[0]).normalize();
        assertThat(file.startsWith(root))
            .as("%s links outside the repository: %s", document, target)
            .isTrue();
        assertThat(file).as("%s links to a missing file: %s", document, target).exists();
        if (parts.length == 2) {
          assertThat(anchors(Files.readString(file, StandardCharsets.UTF_8)))
              .as("%s links to a missing heading: %s", document, target)
              .contains(parts[1]);
        }
      }
    }
  }

  @Test
  void shellCommandsJoinContinuationsAndDropCommentsAndOtherLanguages() {
    String markdown =
        """
        text ./rlflow not-a-command
        ```bash
        ./rlflow quickstart   # a comment
        ./rlflow run conf/quickstart.yaml \\
          -Drollout.iterations=2
        ```
        ```java
        TraceCodec.of(ProcessLabel.class);
        ```
        ```
        mvn -B verify
        ```
        """;
    assertThat(shellCommands(markdown))
        .containsExactly(
            "./rlflow quickstart",
            "./rlflow run conf/quickstart.yaml -Drollout.iterations=2",
            "mvn -B verify");
    assertThat(words("./rlflow run 'a b' \"c d\" e"))
        .containsExactly("./rlflow", "run", "a b", "c d", "e");
    assertThat(anchors("## On a Flink cluster\n## Rules, and the tests\n"))
        .contains("on-a-flink-cluster", "rules-and-the-tests");
  }

  /** Parses {@code args} as the jar's command line and checks its configuration and input files. */
  private static void checkRlflow(String line, List<String> args) {
    ParseResult parsed;
    try {
      parsed = RlflowCommand.commandLine().parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError("README.md: " + line + "\n  does not parse: " + e.getMessage(), e);
    }
    while (parsed.hasSubcommand()) {
      parsed = parsed.subcommand();
    }
    assertThat(parsed.commandSpec().subcommands())
        .as("%s names a command group, not a command", line)
        .isEmpty();
    Map<String, String> overrides = parsed.matchedOptionValue("-D", Map.of());
    String config = null;
    for (ArgSpec arg : parsed.matchedArgs()) {
      boolean isConfig = arg.paramLabel().equals("CONFIG");
      boolean isOutput =
          arg instanceof OptionSpec option && OUTPUT_OPTIONS.contains(option.longestName());
      Object value = arg.getValue();
      if (isConfig) {
        config = value.toString();
      }
      if (!isOutput && value instanceof Path path && !produced(path.toString())) {
        assertThat(ROOT.resolve(path)).as("%s: %s", line, path).exists();
      }
    }
    if (config == null && parsed.commandSpec().name().equals("quickstart")) {
      config = ConfigSource.QUICKSTART;
    }
    if (config != null) {
      try {
        RunConfigLoader.load(ROOT.resolve(config), overrides);
      } catch (RuntimeException e) {
        throw new AssertionError("README.md: " + line + "\n  " + e.getMessage(), e);
      }
    }
  }

  private static boolean produced(String path) {
    return PRODUCED.stream().anyMatch(path::startsWith);
  }

  /** Command lines of the Markdown's shell code blocks, continuations joined, comments dropped. */
  static List<String> shellCommands(String markdown) {
    List<String> commands = new ArrayList<>();
    boolean inShell = false;
    boolean inOther = false;
    StringBuilder pending = new StringBuilder();
    for (String raw : markdown.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("```")) {
        if (inShell || inOther) {
          inShell = false;
          inOther = false;
        } else {
          String language = line.substring(3).strip();
          inShell = language.isEmpty() || language.equals("bash") || language.equals("sh");
          inOther = !inShell;
        }
        continue;
      }
      if (!inShell || line.isEmpty()) {
        continue;
      }
      int comment = line.indexOf(" #");
      String code = (comment < 0 ? line : line.substring(0, comment)).strip();
      if (code.endsWith("\\")) {
        pending.append(code, 0, code.length() - 1).append(' ');
        continue;
      }
      pending.append(code);
      commands.add(pending.toString().replaceAll("\\s+", " ").strip());
      pending.setLength(0);
    }
    return commands;
  }

  /** A command line split into words as a shell would, for the quoting README.md uses. */
  static List<String> words(String line) {
    return Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)")
        .matcher(line)
        .results()
        .map(
            word ->
                word.group(1) != null
                    ? word.group(1)
                    : Objects.requireNonNullElse(word.group(2), word.group(3)))
        .toList();
  }

  /** GitHub's anchors of a Markdown document's headings. */
  static Set<String> anchors(String markdown) {
    return Pattern.compile("(?m)^#+ (.+)$")
        .matcher(markdown)
        .results()
        .map(
            heading ->
                heading
                    .group(1)
                    .strip()
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9 _-]", "")
                    .replace(' ', '-'))
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Every runnable command below the root, as "config check", except picocli's help. */
  private static List<String> leafCommands(CommandLine root) {
    List<String> leaves = new ArrayList<>();
    List<CommandLine> queue = new ArrayList<>(root.getSubcommands().values());
    for (int i = 0; i < queue.size(); i++) {
      CommandLine command = queue.get(i);
      if (command.getCommandName().equals("help")) {
        continue;
      }
      if (command.getSubcommands().isEmpty()) {
        leaves.add(command.getCommandSpec().qualifiedName(" ").replaceFirst("^rlflow ", ""));
      } else {
        queue.addAll(command.getSubcommands().values());
      }
    }
    return leaves;
  }

  private static String readme() throws IOException {
    return Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
  }
}
