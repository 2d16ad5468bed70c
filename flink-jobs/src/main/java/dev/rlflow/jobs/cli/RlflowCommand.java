package dev.rlflow.jobs.cli;

import dev.rlflow.core.config.InvalidConfigException;
import dev.rlflow.jobs.runner.ClusterSetupException;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.model.checkpoint.CorruptCheckpointException;
import dev.rlflow.resharding.checkpoint.CorruptVersionException;
import dev.rlflow.resharding.checkpoint.UncommittedVersionException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code rlflow} command line: the entry point of the jar under {@code java -jar} (the {@code
 * ./rlflow} launcher) and under {@code flink run}.
 *
 * <p>Exit codes: 0 success, 1 a failed run, 2 bad usage or an invalid configuration.
 */
@Command(
    name = "rlflow",
    description = "Reinforcement learning with process supervision for language models, on Flink.",
    mixinStandardHelpOptions = true,
    versionProvider = RlflowCommand.Version.class,
    subcommands = {
      QuickstartCommand.class,
      SftCommand.class,
      EvalCommand.class,
      PrmCollectCommand.class,
      PrmTrainCommand.class,
      RunCommand.class,
      CompareCommand.class,
      SubmitCommand.class,
      DatasetCommand.class,
      ConfigCommand.class,
      DataCommand.class,
      TracesCommand.class,
      BenchCommand.class,
      CheckpointCommand.class,
      CommandLine.HelpCommand.class
    })
public final class RlflowCommand implements Runnable {
  static final int INVALID = 2;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Quiet console logging unless Flink's client (flink run) already configured log4j.
    if (System.getProperty("log4j.configurationFile") == null
        && System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "log4j2-rlflow.properties");
    }
    int code = commandLine().execute(args);
    if (JobRunner.inFlinkClientContext()) {
      // Under `flink run` the client owns the process: report failure by exception, never exit.
      if (code != 0) {
        throw new IllegalStateException(
            "rlflow " + String.join(" ", args) + " exited with " + code);
      }
      return;
    }
    System.exit(code);
  }

  /** Columns of the usage help. */
  static final int HELP_WIDTH = 100;

  /** The configured command line, for the launcher and for tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RlflowCommand());
    cli.setExecutionExceptionHandler(RlflowCommand::handle);
    // The commands' descriptions are written as lines of up to 100 characters; picocli's default
    // width of 80 would wrap each of them mid-sentence. Set after the subcommands are registered,
    // so it reaches all of them.
    cli.setUsageHelpWidth(HELP_WIDTH);
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    if (e instanceof InvalidConfigException invalid) {
      err.println(invalid.getMessage());
      err.flush();
      return INVALID;
    }
    String command = cli.getCommandSpec().qualifiedName();
    if (e instanceof NoSuchFileException missing) {
      err.println(
          command
              + ": file not found: "
              + missing.getFile()
              + (missing.getReason() == null ? "" : " (" + missing.getReason() + ")"));
      err.flush();
      return INVALID;
    }
    if (e instanceof IllegalArgumentException
        || e instanceof CorruptCheckpointException
        || e instanceof CorruptVersionException
        || e instanceof UncommittedVersionException) {
      err.println(command + ": " + e.getMessage());
      err.flush();
      return INVALID;
    }
    if (e instanceof ClusterSetupException setup) {
      err.println(command + ": the cluster cannot run rlflow's jobs: " + setup.getMessage());
      err.flush();
      return 1;
    }
    err.println(command + " failed: " + e);
    e.printStackTrace(err);
    err.flush();
    return 1;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = RlflowCommand.class.getPackage().getImplementationVersion();
      return new String[] {
        "rlflow " + (version == null ? "(development build)" : version),
        "Java "
            + Runtime.version()
            + ", Flink "
            + org.apache.flink.runtime.util.EnvironmentInformation.getVersion()
      };
    }
  }
}
