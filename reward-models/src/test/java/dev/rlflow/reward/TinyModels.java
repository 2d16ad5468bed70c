package dev.rlflow.reward;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.tokenizer.CharTokenizer;
import dev.rlflow.model.transformer.TransformerModel;

/** A tiny character-level transformer for the reward models' tests. */
public final class TinyModels {
  public static final CharTokenizer TOKENIZER = new CharTokenizer();

  /** Grouped-query (4 heads, 2 kv heads), 2 layers, 96 positions. */
  public static final ModelConfig CONFIG =
      new ModelConfig(
          PolicyConfig.Architecture.LLAMA,
          TOKENIZER.vocabSize(),
          32,
          2,
          4,
          2,
          64,
          96,
          10_000,
          1e-5,
          false);

  private TinyModels() {}

  public static TransformerModel create(TransformerModel.Head head, long seed) {
    return TransformerModel.create(CONFIG, head, DataType.FLOAT32, Device.cpu(), seed);
  }
}
