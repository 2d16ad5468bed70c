package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.ConfigReference;
import dev.rlflow.core.config.RunConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rlflow config check|reference}. */
@Command(
    name = "config",
    description = "Validate run configurations and print the configuration reference.",
    mixinStandardHelpOptions = true,
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Reference.class})
final class ConfigCommand {

  @Command(
      name = "check",
      description = {
        "Validate CONFIG and print the fully resolved configuration (defaults filled in).",
        "Exit code 0 when valid, 2 when not, with every problem listed."
      },
      mixinStandardHelpOptions = true)
  static final class Check implements Callable<Integer> {
    @Mixin ConfigSource source;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      RunConfig config = source.load();
      PrintWriter out = spec.commandLine().getOut();
      out.println("# " + config.source() + ": valid (config hash " + config.configHash() + ")");
      out.print(config.toYaml());
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "reference",
      description = {
        "Print every configuration key as Markdown, or update the copy in a Markdown file",
        "(docs/configuration.md: ./rlflow config reference --update docs/configuration.md)."
      },
      mixinStandardHelpOptions = true)
  static final class Reference implements Callable<Integer> {
    @Option(
        names = "--update",
        paramLabel = "FILE",
        description = "Rewrite the reference between the config-reference markers of this file.")
    Path file;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      if (file == null) {
        out.print(ConfigReference.markdown());
      } else {
        out.println(
            ConfigReference.update(file)
                ? "Updated the configuration reference in " + file
                : file + " is up to date");
      }
      out.flush();
      return 0;
    }
  }
}
