package dev.rlflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.policy.UntrainedPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RlflowCommandTest {
  private static final String QUICKSTART = Path.of("..", "conf", "quickstart.yaml").toString();

  @Test
  void helpListsEveryCommandAndEachCommandHasHelp() {
    CliRun help = CliRun.of("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains(
            "quickstart",
            "sft",
            "eval",
            "prm-collect",
            "prm-train",
            "submit",
            "dataset",
            "config",
            "data",
            "traces",
            "bench",
            "run",
            "compare");
    for (String[] command :
        new String[][] {
          {"quickstart", "--help"},
          {"prm-train", "--help"},
          {"eval", "--help"},
          {"dataset", "--help"},
          {"config", "check", "--help"},
          {"config", "reference", "--help"},
          {"data", "sample", "--help"},
          {"data", "check", "--help"},
          {"traces", "tail", "--help"},
          {"bench", "model", "--help"},
          {"bench", "weights", "--help"},
          {"run", "--help"},
          {"compare", "--help"}
        }) {
      CliRun run = CliRun.of(command);
      assertThat(run.exitCode()).as(String.join(" ", command)).isZero();
      assertThat(run.out()).contains("Usage: rlflow " + command[0]);
    }
  }

  @Test
  void descriptionLinesFitTheHelpWidthAndPrintWhole() {
    List<CommandLine> commands = new ArrayList<>(List.of(RlflowCommand.commandLine()));
    for (int i = 0; i < commands.size(); i++) {
      CommandLine command = commands.get(i);
      commands.addAll(command.getSubcommands().values());
      for (String line : command.getCommandSpec().usageMessage().description()) {
        assertThat(line.length())
            .as("%s: \"%s\"", command.getCommandName(), line)
            .isLessThanOrEqualTo(RlflowCommand.HELP_WIDTH);
      }
    }
    assertThat(CliRun.of("compare", "--help").out())
        .contains(
            "\n(reward.step_weight, or 0.5 when it is 0), otherwise rewards are outcome only; -lagN"
                + "\n");
  }

  @Test
  void configCheckPrintsTheResolvedConfiguration() {
    CliRun run = CliRun.of("config", "check", QUICKSTART, "-Drollout.temperature=0.5");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(": valid (config hash ")
        .contains("  temperature: 0.5\n")
        .contains("  c_puct: 0.125\n"); // a default filled in
  }

  @Test
  void invalidConfigurationExitsWithTwoAndNamesTheProblem(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "rollout:\n  samples_per_prompt: 0\n  temprature: 1\n");
    CliRun run = CliRun.of("config", "check", bad.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("Invalid value 0 for rollout.samples_per_prompt: must be >= 1")
        .contains("Unknown key rollout.temprature (did you mean rollout.temperature?)");
    assertThat(CliRun.of("config", "check", dir.resolve("missing.yaml").toString()).exitCode())
        .isEqualTo(2);
    assertThat(CliRun.of("config", "check", QUICKSTART, "-Drollout.top_p=2").err())
        .contains("Invalid value 2 for rollout.top_p: must be in (0, 1]");
  }

  @Test
  void aCorruptCheckpointIsRefusedBeforeAnyJobStarts(@TempDir Path dir) throws Exception {
    Path checkpoint =
        UntrainedPolicy.save(
            RunConfigLoader.load(Path.of(QUICKSTART), java.util.Map.of()).policy(),
            1,
            dir.resolve("policy"));
    Path weights = checkpoint.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // a cut-off copy

    CliRun eval =
        CliRun.of(
            "eval",
            QUICKSTART,
            "--checkpoint",
            checkpoint.toString(),
            "-Drun.output_dir=" + dir.resolve("runs"));

    assertThat(eval.exitCode()).as(eval.err()).isEqualTo(2);
    assertThat(eval.err()).startsWith("rlflow eval: " + weights + ": ");
    assertThat(eval.out()).doesNotContain("Flink"); // no cluster started, no job submitted
    assertThat(dir.resolve("runs")).doesNotExist();
  }

  @Test
  void unknownCommandsAndOptionsAreUsageErrors() {
    assertThat(CliRun.of("trian").exitCode()).isEqualTo(2);
    CliRun badVariant = CliRun.of("compare", QUICKSTART, "--algorithms", "ppo,dpo-process");
    assertThat(badVariant.exitCode()).isEqualTo(2);
    assertThat(badVariant.err())
        .contains("Invalid value 'dpo-process' for --algorithms")
        .contains("ALGORITHM[-process|-outcome][-lagN]");
    CliRun badSetting =
        CliRun.of(
            "compare", QUICKSTART, "--algorithms", "ppo,raft", "--set", "grpo:algorithm.epochs=2");
    assertThat(badSetting.exitCode()).isEqualTo(2);
    assertThat(badSetting.err())
        .contains(
            "Invalid value 'grpo:algorithm.epochs=2' for --set: must be VARIANT:KEY=VALUE with"
                + " VARIANT one of --algorithms (ppo, raft)");
    CliRun prmWithoutSelection = CliRun.of("eval", QUICKSTART, "--prm", "soft=/tmp/x");
    assertThat(prmWithoutSelection.exitCode()).isEqualTo(2);
    assertThat(prmWithoutSelection.err()).contains("--prm and --json apply to --selection only");
    assertThat(CliRun.of("data", "sample", "--count", "x").exitCode()).isEqualTo(2);
    CliRun split = CliRun.of("data", "sample", "--split", "dev");
    assertThat(split.exitCode()).isEqualTo(2);
    assertThat(split.err()).contains("Invalid value dev for --split: must be train or test");
  }

  @Test
  void dataSampleIsDeterministicAndSolutionsAreStepwise() {
    CliRun first = CliRun.of("data", "sample", "--task", "arith", "--count", "5", "--seed", "1");
    CliRun second = CliRun.of("data", "sample", "--task", "arith", "--count", "5", "--seed", "1");
    assertThat(first.exitCode()).isZero();
    assertThat(first.out()).isEqualTo(second.out());
    assertThat(first.out().split("# arith-train-1-")).hasSize(6);
    assertThat(first.out()).containsPattern("start \\d+, [+*-]\\d+").contains("answer: ");
    assertThat(CliRun.of("data", "sample", "--seed", "2").out()).isNotEqualTo(first.out());
  }

  @Test
  void dataCheckReportsDeadLettersAndVerifierAcceptance(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("gsm8k.jsonl");
    Files.writeString(
        file,
        """
        {"question": "Tom has 3 apples and buys 4 more. How many?", "answer": "3+4=<<3+4=7>>7\\n#### 7"}
        {"question": "Bad line", "answer": 5}
        not json
        {"question": "Half of 48?", "answer": "48/2=<<48/2=25>>24\\n#### 24"}
        """);
    CliRun run = CliRun.of("data", "check", file.toString(), "--layout", "gsm8k");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("problems:             2")
        .contains("dead letters:         2")
        .contains("verifier accepts:     2 of 2 reference answers")
        .contains("calculator annotations: 2, 1 do not evaluate to their value")
        .contains("dead letter line 2: ")
        .contains("dead letter line 3: ");
    assertThat(CliRun.of("data", "check", file.toString(), "--layout", "csv").exitCode())
        .isEqualTo(2);
    CliRun missing =
        CliRun.of("data", "check", dir.resolve("nope.jsonl").toString(), "--layout", "math");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo("rlflow data check: file not found: " + dir.resolve("nope.jsonl") + "\n");
  }
}
