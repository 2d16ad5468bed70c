package dev.rlflow.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.task.arith.ArithSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigLoaderTest {

  private static RunConfig parse(String yaml) {
    return RunConfigLoader.parse(yaml, "test.yaml", Map.of());
  }

  private static List<String> problems(String yaml, Map<String, String> overrides) {
    try {
      RunConfigLoader.parse(yaml, "test.yaml", overrides);
    } catch (InvalidConfigException e) {
      assertThat(e.source()).isEqualTo("test.yaml");
      assertThat(e.getMessage()).startsWith("Invalid configuration test.yaml:");
      return e.problems();
    }
    throw new AssertionError("expected InvalidConfigException for:\n" + yaml);
  }

  private static List<String> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  @Test
  void emptyFileGivesTheDefaults() {
    RunConfig config = parse("");
    assertThat(config.run().seed()).isEqualTo(42L);
    assertThat(config.run().id()).isEmpty();
    assertThat(config.run().outputDir()).isEqualTo("runs");
    assertThat(config.task().name()).isEqualTo(TaskConfig.TaskName.ARITH);
    assertThat(config.task().stepSeparator()).isEqualTo("\n");
    assertThat(config.task().arith()).isEqualTo(ArithSpec.defaults());
    assertThat(config.rollout().samplesPerPrompt()).isEqualTo(4);
    assertThat(config.algorithm().name()).isEqualTo(AlgorithmConfig.Name.PPO);
    assertThat(config.algorithm().effectiveKlPlacement())
        .isEqualTo(AlgorithmConfig.KlPlacement.REWARD);
    // LM defaults (ALGORITHMS.md §3): no discount and no GAE decay over a response's tokens
    assertThat(config.algorithm().gamma()).isEqualTo(1.0);
    assertThat(config.algorithm().lambda()).isEqualTo(1.0);
    assertThat(config.algorithm().criticWarmupIterations()).isEqualTo(2);
    assertThat(config.algorithm().lrWarmupUpdates()).isEqualTo(16);
    assertThat(config.omegaPrm().rolloutsPerEstimate()).isEqualTo(8);
    assertThat(config.omegaPrm().cPuct()).isEqualTo(0.125);
    assertThat(config.omegaPrm().temperature()).isEqualTo(1.0); // whatever rollout.temperature is
    assertThat(config.checkpointing().interval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.reward().prmPath()).isEmpty();
    assertThat(config.policy().headDim()).isEqualTo(32);
  }

  @Test
  void readsNestedValuesOfEveryType() {
    RunConfig config =
        parse(
            """
            run: {id: exp-1, seed: 7}
            task:
              name: arith
              arith: {min_steps: 3, max_steps: 4}
            rollout: {temperature: 0.7, top_p: 1.0}
            algorithm: {name: reinforce_pp, whiten_advantages: false, actor_lr: 3.0e-5}
            checkpointing: {interval: 500ms}
            traces: {kafka_bootstrap: "localhost:9092,other:9093"}
            """);
    assertThat(config.run().id()).contains("exp-1");
    assertThat(config.run().seed()).isEqualTo(7L);
    assertThat(config.task().arith().minSteps()).isEqualTo(3);
    assertThat(config.rollout().temperature()).isEqualTo(0.7);
    assertThat(config.algorithm().name()).isEqualTo(AlgorithmConfig.Name.REINFORCE_PP);
    assertThat(config.algorithm().whitenAdvantages()).isFalse();
    assertThat(config.algorithm().actorLr()).isEqualTo(3.0e-5);
    assertThat(config.checkpointing().interval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.traces().kafkaBootstrap()).contains("localhost:9092,other:9093");
  }

  @Test
  void outOfRangeNamesKeyValueAndRule() {
    assertThat(problems("rollout:\n  samples_per_prompt: 0\n"))
        .containsExactly("Invalid value 0 for rollout.samples_per_prompt: must be >= 1");
    assertThat(problems("rollout: {top_p: 0}"))
        .containsExactly("Invalid value 0 for rollout.top_p: must be in (0, 1]");
    assertThat(problems("rollout: {temperature: 0}"))
        .containsExactly("Invalid value 0 for rollout.temperature: must be > 0");
    assertThat(problems("rollout: {top_k: 5, top_p: 0.9}"))
        .containsExactly(
            "Invalid value 5 for rollout.top_k: must be 0 (RL's log-probs are of the whole"
                + " tempered distribution, which top-k cuts)",
            "Invalid value 0.9 for rollout.top_p: must be 1 (RL's log-probs are of the whole"
                + " tempered distribution, which top-p cuts)");
    assertThat(problems("algorithm: {name: grpo, kl_estimator: k1}"))
        .containsExactly(
            "Invalid value k1 for algorithm.kl_estimator: must be k2 or k3 when"
                + " algorithm.kl_placement puts KL in the loss (it is auto for grpo): k1's loss"
                + " gradient has zero expectation and pulls nothing back");
    assertThat(parse("algorithm: {name: ppo, kl_estimator: k1}").algorithm().klEstimator())
        .isEqualTo(AlgorithmConfig.KlEstimator.K1); // in the reward
    assertThat(problems("omega_prm: {temperature: 0}"))
        .containsExactly("Invalid value 0 for omega_prm.temperature: must be > 0");
    assertThat(problems("algorithm: {clip_ratio: 1.5}"))
        .containsExactly("Invalid value 1.5 for algorithm.clip_ratio: must be in [0, 1]");
    assertThat(problems("algorithm: {adaptive_kl: true, kl_horizon: 0}"))
        .containsExactly("Invalid value 0 for algorithm.kl_horizon: must be > 0");
    assertThat(problems("run: {id: 'my run'}"))
        .containsExactly(
            "Invalid value my run for run.id: must be 1-128 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit");
  }

  @Test
  void wrongTypesAreNamed() {
    assertThat(problems("rollout: {samples_per_prompt: four}"))
        .containsExactly("Invalid value four for rollout.samples_per_prompt: must be an integer");
    assertThat(problems("rollout: {samples_per_prompt: 2.5}"))
        .containsExactly("Invalid value 2.5 for rollout.samples_per_prompt: must be an integer");
    assertThat(problems("rollout: {temperature: [1, 2]}"))
        .containsExactly(
            "Invalid value [1,2] for rollout.temperature: must be a number, not a list");
    assertThat(problems("algorithm: {adaptive_kl: yes please}"))
        .containsExactly(
            "Invalid value yes please for algorithm.adaptive_kl: must be true or false");
    assertThat(problems("algorithm: {name: dpo}"))
        .containsExactly(
            "Invalid value dpo for algorithm.name: must be one of ppo, grpo, rloo, reinforce_pp,"
                + " raft, vineppo");
    assertThat(problems("checkpointing: {interval: 10}"))
        .containsExactly(
            "Invalid value 10 for checkpointing.interval: must be a duration such as 500ms, 30s,"
                + " 5m or 1h");
    assertThat(problems("rollout: 5"))
        .containsExactly("Invalid value 5 for rollout: must be a mapping of rollout.* keys");
  }

  @Test
  void unknownKeysSuggestTheClosestKey() {
    assertThat(problems("rollout: {temprature: 0.5}"))
        .containsExactly(
            "Unknown key rollout.temprature (did you mean rollout.temperature?); run `rlflow"
                + " config reference` for every key");
    // The right name in the wrong section.
    assertThat(problems("rollout: {clip_ratio: 0.1}").get(0))
        .contains("Unknown key rollout.clip_ratio (did you mean algorithm.clip_ratio?)");
    assertThat(problems("rolout: {temperature: 0.5}").get(0))
        .contains("Unknown key rolout.temperature (did you mean rollout.temperature?)");
    assertThat(problems("wandb: {project: x}").get(0)).startsWith("Unknown key wandb.project;");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThat(
            problems(
                """
                rollout: {samples_per_prompt: 0, temperature: hot}
                algorithm: {epochs: 0}
                extra: 1
                """))
        .hasSize(4);
  }

  @Test
  void overridesWinOverTheFileAndAreChecked() {
    RunConfig config =
        RunConfigLoader.parse(
            "rollout: {temperature: 1.0}\nreward: {prm_path: runs/x/prm}\n",
            "test.yaml",
            Map.of("rollout.temperature", "0.25", "run.seed", "9", "reward.prm_path", ""));
    assertThat(config.rollout().temperature()).isEqualTo(0.25);
    assertThat(config.run().seed()).isEqualTo(9L);
    assertThat(config.reward().prmPath()).as("an empty override unsets").isEmpty();

    assertThat(problems("", Map.of("rollout.samples_per_prompt", "0")))
        .containsExactly("Invalid value 0 for rollout.samples_per_prompt: must be >= 1");
    assertThat(problems("", Map.of("rollout.temperatur", "0.5")).get(0))
        .startsWith("Unknown override -Drollout.temperatur (did you mean rollout.temperature?)");
  }

  @Test
  void crossFieldRulesNameBothKeys() {
    assertThat(problems("algorithm: {name: grpo}\nrollout: {samples_per_prompt: 1}"))
        .containsExactly(
            "Invalid value 1 for rollout.samples_per_prompt: must be >= 2 when algorithm.name is"
                + " grpo (its baseline compares the samples of one prompt)");
    assertThat(
            problems(
                "algorithm: {name: raft}\n"
                    + "reward: {outcome_weight: 0, prm_path: /prm, step_weight: 0.5}"))
        .containsExactly(
            "Invalid value 0 for reward.outcome_weight: must be > 0 when algorithm.name is raft"
                + " (it accepts the responses the verifier rewards)");
    assertThat(problems("reward: {step_weight: 0, step_threshold: 0.7}"))
        .containsExactly(
            "Invalid value 0.7 for reward.step_threshold: must be unset when reward.step_weight is"
                + " 0 (no step is scored)");
    assertThat(problems("reward: {step_threshold: 1.5}"))
        .containsExactly("Invalid value 1.5 for reward.step_threshold: must be in (0, 1]");
    assertThat(problems("algorithm: {name: grpo, replay_size: 64}"))
        .containsExactly(
            "Invalid value 64 for algorithm.replay_size: must be 0 unless algorithm.name is raft"
                + " (only its likelihood loss can learn from an earlier policy's samples), not grpo");
    assertThat(problems("algorithm: {name: raft, kl_placement: reward}"))
        .containsExactly(
            "Invalid value reward for algorithm.kl_placement: must be auto or loss when"
                + " algorithm.name is raft (its advantages ignore the reward's size)");
    assertThat(problems("task: {arith: {min_steps: 4, max_steps: 3}}"))
        .containsExactly(
            "Invalid value 3 for task.arith.max_steps: must be >= task.arith.min_steps (4)");
    assertThat(problems("task: {name: gsm8k}"))
        .containsExactly("Missing value for task.train_path: must be set when task.name is gsm8k");
    assertThat(problems("policy: {hidden_size: 100, num_heads: 3, num_kv_heads: 1}"))
        .containsExactly(
            "Invalid value 100 for policy.hidden_size: must be a multiple of policy.num_heads (3)");
    assertThat(problems("algorithm: {minibatch_size: 256}"))
        .containsExactly(
            "Invalid value 256 for algorithm.minibatch_size: must be <= the responses per batch,"
                + " rollout.prompts_per_batch x rollout.samples_per_prompt (128)");
    assertThat(problems("prm: {updates: 5}"))
        .containsExactly("Invalid value 20 for prm.warmup_updates: must be < prm.updates (5)");
  }

  @Test
  void syntaxErrorsAndDuplicatesGiveTheLine() {
    assertThat(problems("rollout:\n  temperature: [1, 2\n").get(0))
        .startsWith("YAML syntax error at line");
    assertThat(problems("rollout:\n  temperature: 1\n  temperature: 2\n").get(0))
        .contains("Duplicate field 'temperature'");
    assertThat(problems("- a\n- b\n").get(0))
        .startsWith("The configuration must be a YAML mapping of sections");
  }

  @Test
  void missingFileIsAClearError(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> RunConfigLoader.load(missing, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("File not found: " + missing);
  }

  @Test
  void resolvedYamlRoundTripsWithTheSameHash() {
    RunConfig config =
        parse("run: {id: a}\ncheckpointing: {interval: 90s}\nalgorithm: {actor_lr: 1.0e-5}");
    RunConfig again = parse(config.toYaml());
    assertThat(again.values()).isEqualTo(config.values());
    assertThat(again.configHash()).isEqualTo(config.configHash()).hasSize(16);
    assertThat(config.toYaml()).contains("interval: 90s").contains("step_separator: \"\\n\"");
    assertThat(parse("run: {seed: 1}").configHash()).isNotEqualTo(config.configHash());
  }

  @Test
  void everyShippedConfigurationLoads() throws IOException {
    Path conf = Path.of("..", "conf");
    int count = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(conf, "*.yaml")) {
      for (Path file : files) {
        assertThat(RunConfigLoader.load(file, Map.of()).source()).isEqualTo(file.toString());
        count++;
      }
    }
    assertThat(count).isGreaterThanOrEqualTo(1);
    RunConfig quickstart = RunConfigLoader.load(conf.resolve("quickstart.yaml"), Map.of());
    assertThat(quickstart.policy().device()).isEqualTo(PolicyConfig.Device.CPU);
    assertThat(quickstart.run().outputDir()).isEqualTo("runs");
  }
}
