package dev.rlflow.jobs.policy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.CharTokenizer;
import dev.rlflow.model.transformer.ModelCheckpoint;
import dev.rlflow.model.transformer.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;

/** A freshly initialised policy of a configuration's shape, saved as a checkpoint, for tests. */
public final class UntrainedPolicy {
  private UntrainedPolicy() {}

  /**
   * Saves a policy of {@code policy}'s shape (character tokenizer), initialised from {@code seed}.
   */
  public static Path save(PolicyConfig policy, long seed, Path dir) throws IOException {
    try (TransformerModel model =
        TransformerModel.create(
            ModelConfig.of(policy, new CharTokenizer().vocabSize()),
            TransformerModel.Head.LM,
            DataType.FLOAT32,
            Device.cpu(),
            seed)) {
      ModelCheckpoint.save(model, dir, Long.MAX_VALUE);
    }
    return dir;
  }
}
