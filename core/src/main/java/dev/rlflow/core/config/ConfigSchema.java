package dev.rlflow.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every declared configuration key, section by section, in the order they are documented and
 * printed. A new key is declared in its section record and appears here through that section's
 * {@code OPTIONS}.
 */
public final class ConfigSchema {

  /** A top-level section of the run configuration and what it is for. */
  public record Section(String name, String doc, List<ConfigOption<?>> options) {}

  private static final List<Section> SECTIONS =
      List.of(
          new Section("run", "Identity, seed and output location of a run.", RunSettings.OPTIONS),
          new Section(
              "task",
              "The problems, their data and the synthetic task's difficulty.",
              TaskConfig.OPTIONS),
          new Section(
              "policy",
              "The policy model: architecture and size, or a checkpoint; tokenizer; device.",
              PolicyConfig.OPTIONS),
          new Section("sft", "Supervised warm start on the demonstrations.", SftConfig.OPTIONS),
          new Section(
              "eval", "Evaluation of a policy on the held-out problems.", EvalConfig.OPTIONS),
          new Section("rollout", "Sampling of responses by the actor.", RolloutConfig.OPTIONS),
          new Section("reward", "Outcome verifier and process reward model.", RewardConfig.OPTIONS),
          new Section(
              "algorithm",
              "The RL algorithm and its update: advantages, losses, KL, optimizer.",
              AlgorithmOptions.OPTIONS),
          new Section(
              "omega_prm",
              "Process-label collection by OmegaPRM (Luo et al. 2024, arXiv 2406.06592).",
              OmegaPrmConfig.OPTIONS),
          new Section(
              "prm", "Process reward model training and test-time selection.", PrmConfig.OPTIONS),
          new Section(
              "placement",
              "Where the dataflow's roles run, and their parallelism.",
              PlacementConfig.OPTIONS),
          new Section(
              "checkpointing",
              "Flink checkpoints and the model checkpoints they point to.",
              CheckpointConfig.OPTIONS),
          new Section(
              "traces", "Where reward traces and process labels stream.", TracesConfig.OPTIONS));

  private static final Map<String, ConfigOption<?>> BY_KEY = index();

  private ConfigSchema() {}

  public static List<Section> sections() {
    return SECTIONS;
  }

  /** All keys, in documentation order. */
  public static Map<String, ConfigOption<?>> options() {
    return BY_KEY;
  }

  /** True when {@code path} names a section or group of keys, such as {@code task.arith}. */
  static boolean isGroup(String path) {
    String prefix = path + ".";
    return BY_KEY.keySet().stream().anyMatch(key -> key.startsWith(prefix));
  }

  private static Map<String, ConfigOption<?>> index() {
    Map<String, ConfigOption<?>> byKey = new LinkedHashMap<>();
    List<String> duplicates = new ArrayList<>();
    for (Section section : SECTIONS) {
      for (ConfigOption<?> option : section.options()) {
        if (!option.section().equals(section.name())) {
          throw new IllegalStateException(option.key() + " declared in section " + section.name());
        }
        if (byKey.put(option.key(), option) != null) {
          duplicates.add(option.key());
        }
      }
    }
    if (!duplicates.isEmpty()) {
      throw new IllegalStateException("Config keys declared twice: " + duplicates);
    }
    return Collections.unmodifiableMap(byKey);
  }
}
