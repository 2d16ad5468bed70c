package dev.rlflow.jobs.policy;

import ai.djl.engine.Engine;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.runner.ModelDirectories;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import dev.rlflow.rollout.GenerationEngine;
import java.util.Set;

/**
 * A policy checkpoint loaded in an operator with its tokenizer: what every generating operator
 * opens, and closes without throwing (a failing task must not take the TaskManager down).
 */
public record PolicyRuntime(Tokenizer tokenizer, TransformerModel policy) implements AutoCloseable {

  /** Loads the tokenizer of {@code policy.tokenizer} and the LM at {@code checkpoint}. */
  public static PolicyRuntime load(RunConfig config, String checkpoint) throws Exception {
    Engine.getInstance(); // before any JniUtils call (DESIGN.md §1)
    Tokenizer tokenizer = Tokenizers.load(config.policy().tokenizer());
    TransformerModel policy =
        ModelCheckpoint.load(
            ModelDirectories.local(checkpoint),
            TransformerModel.Head.LM,
            ComputeTarget.of(config.policy()),
            config.run().seed());
    return new PolicyRuntime(tokenizer, policy);
  }

  /** A generation engine on this policy with {@code seed}, steps ending at a newline. */
  public GenerationEngine engine(long seed) {
    int newline = tokenizer.encode("\n")[0];
    return new GenerationEngine(policy, seed, Set.of(newline), tokenizer::token);
  }

  /** Frees the model and the tokenizer; never throws. */
  @Override
  public void close() {
    try {
      policy.close();
      tokenizer.close();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(PolicyRuntime.class).warn("Closing the policy failed", e);
    }
  }
}
