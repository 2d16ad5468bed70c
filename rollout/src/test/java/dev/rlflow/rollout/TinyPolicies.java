package dev.rlflow.rollout;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.Map;

/** Tiny models for engine tests: random ones, and one whose next token is a fixed table. */
final class TinyPolicies {
  static final int VOCAB = 20;

  /** Grouped-query (4 heads, 2 kv heads), untied head, 64 positions. */
  static final ModelConfig CONFIG =
      new ModelConfig(
          PolicyConfig.Architecture.LLAMA, VOCAB, 32, 2, 4, 2, 48, 64, 10_000, 1e-5, false);

  private TinyPolicies() {}

  static TransformerModel random(TransformerModel.Head head, long seed) {
    return TransformerModel.create(CONFIG, head, DataType.FLOAT32, Device.cpu(), seed);
  }

  /**
   * A critic whose value head is drawn at random rather than the zeros a new critic starts from, so
   * that its values vary with the position.
   */
  static TransformerModel randomCritic(long seed) {
    TransformerModel critic = random(TransformerModel.Head.VALUE, seed);
    try (TransformerModel lm = random(TransformerModel.Head.LM, seed)) {
      NDArray head = critic.weights().get("value_head.weight"); // (1, C)
      head.set(new NDIndex("..."), lm.weights().get("lm_head.weight").get("0:1"));
    }
    return critic;
  }

  /**
   * A model that after token t always predicts {@code next[t]} (logit about 57 against 0 for every
   * other token): attention and MLP outputs are zeroed, so the last hidden state is the normed
   * one-hot embedding of the current token, and the head maps it to the next token.
   */
  static TransformerModel bigram(int[] next) {
    TransformerModel model = random(TransformerModel.Head.LM, 1);
    Map<String, NDArray> w = model.weights();
    for (Map.Entry<String, NDArray> e : w.entrySet()) {
      if (e.getKey().endsWith("o_proj.weight") || e.getKey().endsWith("down_proj.weight")) {
        e.getValue().set(new NDIndex("..."), 0f);
      }
    }
    int c = CONFIG.hiddenSize();
    float[] embedding = new float[VOCAB * c];
    float[] head = new float[VOCAB * c];
    for (int t = 0; t < VOCAB; t++) {
      embedding[t * c + t] = 1f;
      head[next[t] * c + t] = 10f;
    }
    w.get("model.embed_tokens.weight")
        .set(new NDIndex("..."), model.manager().create(embedding, new Shape(VOCAB, c)));
    w.get("lm_head.weight")
        .set(new NDIndex("..."), model.manager().create(head, new Shape(VOCAB, c)));
    return model;
  }

  /** Token t's text: a single letter, 'a' + t. */
  static String text(int token) {
    return String.valueOf((char) ('a' + token));
  }
}
