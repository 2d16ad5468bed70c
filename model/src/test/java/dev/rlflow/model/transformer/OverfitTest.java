package dev.rlflow.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.core.task.arith.ArithGenerator;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.ArithSpec;
import dev.rlflow.core.task.arith.ArithSplit;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.ModelInput;
import dev.rlflow.model.tokenizer.CharTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole stack learns: a tiny model memorises a fixed batch of arith solutions. */
class OverfitTest {

  @Test
  void tinyModelOverfitsAFixedBatchOfArithSolutions() {
    CharTokenizer tokenizer = new CharTokenizer();
    List<ArithProblem> problems =
        new ArithGenerator(ArithSpec.defaults(), ArithSplit.TRAIN, 5).generate(8);
    int length = 0;
    int[][] sequences = new int[problems.size()][];
    int[] promptLengths = new int[problems.size()];
    for (int i = 0; i < problems.size(); i++) {
      ArithProblem p = problems.get(i);
      // <bos> question \n solution <eos>; the loss counts the solution tokens (as in SFT): the
      // question is random, so its tokens cannot be predicted from what precedes them.
      promptLengths[i] = 1 + tokenizer.encode(p.question() + "\n").length;
      int[] text = tokenizer.encode(p.question() + "\n" + p.referenceSolution());
      int[] sequence = new int[text.length + 2];
      sequence[0] = tokenizer.bosId();
      System.arraycopy(text, 0, sequence, 1, text.length);
      sequence[sequence.length - 1] = tokenizer.eosId();
      sequences[i] = sequence;
      length = Math.max(length, sequence.length);
    }
    // Right padding.
    long[][] tokens = new long[sequences.length][length];
    float[][] valid = new float[sequences.length][length];
    float[][] counted = new float[sequences.length][length];
    for (int i = 0; i < sequences.length; i++) {
      for (int t = 0; t < length; t++) {
        tokens[i][t] = t < sequences[i].length ? sequences[i][t] : tokenizer.padId();
        valid[i][t] = t < sequences[i].length ? 1 : 0;
        counted[i][t] = t >= promptLengths[i] && t < sequences[i].length ? 1 : 0;
      }
    }
    ModelConfig config =
        new ModelConfig(
            PolicyConfig.Architecture.LLAMA,
            tokenizer.vocabSize(),
            64,
            2,
            4,
            2,
            128,
            128,
            10_000,
            1e-5,
            true);
    Engine.getInstance();
    try (TransformerModel model =
            TransformerModel.create(
                config, TransformerModel.Head.LM, DataType.FLOAT32, Device.cpu(), 1);
        NDManager data = model.manager().newSubManager()) {
      Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(3e-3f)).build();
      float first = Float.NaN;
      float last = Float.NaN;
      for (int step = 0; step < 200; step++) {
        try (NDManager scope = data.newSubManager()) {
          NDArray batch = scope.create(tokens);
          NDArray mask = scope.create(valid);
          NDArray targets = batch.get(":, 1:").oneHot(config.vocabSize()); // (B, T-1, V)
          NDArray targetMask = scope.create(counted).get(":, 1:"); // (B, T-1)
          ModelInput input =
              ModelInput.of(batch.get(":, :-1"), mask.get(":, :-1"), DataType.FLOAT32);
          NDArray loss;
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(input, null, true).output();
            NDArray tokenLoss = logits.logSoftmax(-1).mul(targets).sum(new int[] {-1}).neg();
            loss = tokenLoss.mul(targetMask).sum().div(targetMask.sum());
            collector.backward(loss);
          }
          for (Map.Entry<String, NDArray> w : model.weights().entrySet()) {
            // DJL accumulates gradients until they are zeroed; the handle is a view, scoped here.
            NDArray gradient = w.getValue().getGradient();
            gradient.attach(scope);
            adam.update(w.getKey(), w.getValue(), gradient);
            gradient.subi(gradient);
          }
          last = loss.getFloat();
          if (step == 0) {
            first = last;
          }
        }
      }
      assertThat(first).as("initial loss ~ ln(vocab)").isGreaterThan(3f);
      assertThat(last).as("solution loss after 200 steps (from %s)", first).isLessThan(0.01f);
    }
  }
}
