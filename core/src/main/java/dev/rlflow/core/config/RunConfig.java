package dev.rlflow.core.config;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One run, as described by a YAML file in {@code conf/}: immutable, validated, defaults filled in.
 * Load it with {@link RunConfigLoader}.
 *
 * @param source where it was loaded from (a file path), for messages and the default run id
 * @param values every key's resolved value, as printed by {@code config check}
 */
public record RunConfig(
    String source,
    RunSettings run,
    TaskConfig task,
    PolicyConfig policy,
    SftConfig sft,
    EvalConfig eval,
    RolloutConfig rollout,
    RewardConfig reward,
    AlgorithmConfig algorithm,
    OmegaPrmConfig omegaPrm,
    PrmConfig prm,
    PlacementConfig placement,
    CheckpointConfig checkpointing,
    TracesConfig traces,
    ConfigValues values) {

  /** Strings printed without quotes: they read back as the same string in YAML. */
  private static final Pattern PLAIN =
      Pattern.compile(
          "(?!(?i:true|false|null|yes|no|on|off|y|n)$)[A-Za-z_/][A-Za-z0-9_./:,@-]*|[0-9]+[a-z]+");

  /** Builds the section records and checks rules that span keys; throws on any problem. */
  static RunConfig of(String source, ConfigValues values) {
    List<String> problems = new ArrayList<>();
    TaskConfig.validate(values, problems);
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(source, problems);
    }
    TaskConfig task = TaskConfig.from(values);
    PolicyConfig policy = PolicyConfig.from(values);
    SftConfig sft = SftConfig.from(values);
    EvalConfig eval = EvalConfig.from(values);
    RolloutConfig rollout = RolloutConfig.from(values);
    RewardConfig reward = RewardConfig.from(values);
    AlgorithmConfig algorithm = AlgorithmConfig.from(values);
    PrmConfig prm = PrmConfig.from(values);
    policy.validate(problems);
    prm.validate(problems);
    sft.validate(problems);
    eval.validate(problems);
    rollout.validate(problems);
    reward.validate(task, problems);
    AlgorithmRules.check(algorithm, rollout, reward, problems);
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(source, problems);
    }
    return new RunConfig(
        source,
        RunSettings.from(values),
        task,
        policy,
        sft,
        eval,
        rollout,
        reward,
        algorithm,
        OmegaPrmConfig.from(values),
        prm,
        PlacementConfig.from(values),
        CheckpointConfig.from(values),
        TracesConfig.from(values),
        values);
  }

  /** The fully resolved configuration as YAML; loading it again gives an equal configuration. */
  public String toYaml() {
    StringBuilder yaml = new StringBuilder();
    writeMapping(values.asNestedMap(), "", yaml);
    return yaml.toString();
  }

  @SuppressWarnings("unchecked")
  private static void writeMapping(Map<String, Object> mapping, String indent, StringBuilder out) {
    mapping.forEach(
        (key, value) -> {
          out.append(indent).append(key).append(':');
          if (value instanceof Map<?, ?> nested) {
            out.append('\n');
            writeMapping((Map<String, Object>) nested, indent + "  ", out);
          } else {
            out.append(' ').append(scalar(value)).append('\n');
          }
        });
  }

  private static String scalar(Object value) {
    if (value == null) {
      return "null";
    }
    if (!(value instanceof String text)) {
      return value.toString();
    }
    if (PLAIN.matcher(text).matches()) {
      return text;
    }
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
  }

  /** A short SHA-256 of the resolved configuration, recorded with every artefact of the run. */
  public String configHash() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(toYaml().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
