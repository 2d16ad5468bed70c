package dev.rlflow.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.model.ModelConfig;
import dev.rlflow.model.transformer.TransformerModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Scores given responses to given prompts in one pass per batch, without sampling: the log-probs of
 * the response tokens under a language model (the reference or old policy), a critic's values at
 * the same positions, and a process reward model's step margins at step-tag positions. Sequences
 * are right-padded; each batch runs without autograd in its own closed scope.
 *
 * <p>Position convention: response token j of a prompt of P tokens is predicted at position P + j -
 * 1, so its log-prob and its value (the value of the state before the token) are both read there. A
 * response's last token predicts nothing that is read, so it is not fed: the batch has the shape of
 * a training step's teacher forcing ({@code SftBatch}, one column narrower than prompt + response),
 * and the reference's and the critic's scores are bit for bit what the trainer's own forward pass
 * over the same responses gives.
 */
public final class TeacherForcedScorer {
  private final int maxBatch;

  /** A scorer running at most {@code maxBatch} sequences per forward pass. */
  public TeacherForcedScorer(int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException(
          "Invalid value " + maxBatch + " for maxBatch: must be >= 1");
    }
    this.maxBatch = maxBatch;
  }

  /**
   * log π(response[j] | prompt, response[..j]) at temperature 1 for every response token: one row
   * per (prompt, response) pair, of the response's length. The model's own likelihood, as an
   * evaluation reads it.
   */
  public float[][] logProbs(TransformerModel lm, List<int[]> prompts, List<int[]> responses) {
    return logProbs(lm, prompts, responses, 1);
  }

  /**
   * log π_T(response[j] | prompt, response[..j]), the log-softmax of logits / {@code temperature},
   * for every response token: the log-probs of the distribution a rollout at that temperature drew
   * from (ALGORITHMS.md §3), which the reference's must match for the KL to compare like with like.
   *
   * @param temperature the sampling temperature, {@code > 0} and finite
   */
  public float[][] logProbs(
      TransformerModel lm, List<int[]> prompts, List<int[]> responses, double temperature) {
    requireHead(lm, TransformerModel.Head.LM);
    return score(
        lm,
        prompts,
        responses,
        (logits, targets) -> // (B, L, V), (B, L) -> (B, L)
            // targets live in the batch's closed scope, which then owns the divisor too
            SamplingTemperature.divide(logits, temperature, targets.getManager())
                .logSoftmax(-1)
                .gather(targets.expandDims(-1), -1)
                .squeeze(-1));
  }

  /**
   * The critic's value of the state before every response token: one row per (prompt, response)
   * pair, of the response's length.
   */
  public float[][] values(TransformerModel critic, List<int[]> prompts, List<int[]> responses) {
    requireHead(critic, TransformerModel.Head.VALUE);
    return score(
        critic,
        prompts,
        responses,
        (values, targets) -> values.toType(DataType.FLOAT32, false)); // (B, L)
  }

  /**
   * A process reward model's margin at chosen positions of each sequence: row i holds, for each
   * index in {@code positions.get(i)}, logit(correct) − logit(incorrect) of the 2-way step-score
   * head there, so that P(correct) = σ(margin). The PRM reads a step's score at the position of the
   * tag token that ends the step (ALGORITHMS.md §2), not one before it as next-token scores are
   * read.
   */
  public float[][] stepMargins(TransformerModel prm, List<int[]> sequences, List<int[]> positions) {
    requireHead(prm, TransformerModel.Head.STEP_SCORE);
    checkSequences(prm.config(), sequences);
    return read(
        prm,
        sequences,
        sequences,
        positions,
        (logits, next) -> {
          NDArray f = logits.toType(DataType.FLOAT32, false);
          return f.get("..., 1").sub(f.get("..., 0"));
        });
  }

  /**
   * Runs (prompt + response) batches through {@code model} and reads {@code perPosition(output,
   * nextTokens)} (B, L) at each response token's predicting position.
   */
  private float[][] score(
      TransformerModel model,
      List<int[]> prompts,
      List<int[]> responses,
      BiFunction<NDArray, NDArray, NDArray> perPosition) {
    List<int[]> sequences = sequences(model.config(), prompts, responses);
    List<int[]> inputs = new ArrayList<>(sequences.size());
    List<int[]> positions = new ArrayList<>(sequences.size());
    for (int i = 0; i < sequences.size(); i++) {
      int[] sequence = sequences.get(i);
      int length = responses.get(i).length;
      inputs.add(length == 0 ? sequence : Arrays.copyOf(sequence, sequence.length - 1));
      int first = prompts.get(i).length - 1;
      int[] at = new int[length];
      for (int j = 0; j < at.length; j++) {
        at[j] = first + j;
      }
      positions.add(at);
    }
    return read(model, inputs, sequences, positions, perPosition);
  }

  /**
   * Runs right-padded batches of {@code inputs} (each a prefix of its sequence) through {@code
   * model} without autograd and reads {@code perPosition(output, nextTokens)} (B, L) at {@code
   * positions}, the next tokens taken from {@code sequences}: the one forward path of log-probs,
   * critic values and PRM step margins.
   */
  private float[][] read(
      TransformerModel model,
      List<int[]> inputs,
      List<int[]> sequences,
      List<int[]> positions,
      BiFunction<NDArray, NDArray, NDArray> perPosition) {
    if (positions.size() != inputs.size()) {
      throw new IllegalArgumentException(
          inputs.size() + " sequences but " + positions.size() + " position lists: must be equal");
    }
    for (int i = 0; i < inputs.size(); i++) {
      for (int at : positions.get(i)) {
        if (at < 0 || at >= inputs.get(i).length) {
          throw new IllegalArgumentException(
              "Sequence "
                  + i
                  + ": position "
                  + at
                  + " is outside [0, "
                  + inputs.get(i).length
                  + ")");
        }
      }
    }
    float[][] result = new float[inputs.size()][];
    InferenceMode inference = InferenceMode.enter();
    try {
      for (int from = 0; from < inputs.size(); from += maxBatch) {
        int to = Math.min(inputs.size(), from + maxBatch);
        List<int[]> batch = inputs.subList(from, to);
        PaddedBatch padded = PaddedBatch.of(batch, GenerationEngine.Padding.RIGHT);
        int width = padded.width();
        long[] next = new long[batch.size() * width]; // (B, L): the token each position predicts
        for (int b = 0; b < batch.size(); b++) {
          int[] sequence = sequences.get(from + b);
          for (int t = 0; t < batch.get(b).length && t + 1 < sequence.length; t++) {
            next[b * width + t] = sequence[t + 1];
          }
        }
        float[] scores;
        try (NDManager step = model.manager().newSubManager()) {
          NDArray output = model.forward(padded.input(step, model.dtype()), null, false).output();
          NDArray targets = step.create(next, new Shape(batch.size(), width));
          scores = perPosition.apply(output, targets).toFloatArray(); // (B, L)
        }
        for (int b = 0; b < batch.size(); b++) {
          int[] at = positions.get(from + b);
          float[] row = new float[at.length];
          for (int j = 0; j < at.length; j++) {
            row[j] = scores[b * width + at[j]];
          }
          result[from + b] = row;
        }
      }
    } finally {
      inference.close();
    }
    return result;
  }

  private static List<int[]> sequences(
      ModelConfig config, List<int[]> prompts, List<int[]> responses) {
    if (prompts.size() != responses.size()) {
      throw new IllegalArgumentException(
          prompts.size() + " prompts but " + responses.size() + " responses: must be equal");
    }
    List<int[]> sequences = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      int[] prompt = prompts.get(i);
      int[] response = responses.get(i);
      if (prompt.length == 0) {
        throw new IllegalArgumentException("Prompt " + i + " is empty: must have >= 1 token");
      }
      int[] sequence = new int[prompt.length + response.length];
      System.arraycopy(prompt, 0, sequence, 0, prompt.length);
      System.arraycopy(response, 0, sequence, prompt.length, response.length);
      sequences.add(sequence);
    }
    checkSequences(config, sequences);
    return sequences;
  }

  /** Every sequence fits the model: at most maxSeqLen tokens, each id in the vocabulary. */
  private static void checkSequences(ModelConfig config, List<int[]> sequences) {
    for (int i = 0; i < sequences.size(); i++) {
      int[] sequence = sequences.get(i);
      if (sequence.length > config.maxSeqLen()) {
        throw new IllegalArgumentException(
            "Sequence "
                + i
                + " has "
                + sequence.length
                + " tokens, more than the model's maxSeqLen "
                + config.maxSeqLen());
      }
      for (int t = 0; t < sequence.length; t++) {
        if (sequence[t] < 0 || sequence[t] >= config.vocabSize()) {
          throw new IllegalArgumentException(
              "Sequence "
                  + i
                  + ": token "
                  + sequence[t]
                  + " at index "
                  + t
                  + " is outside the vocabulary [0, "
                  + config.vocabSize()
                  + ")");
        }
      }
    }
  }

  private static void requireHead(TransformerModel model, TransformerModel.Head head) {
    if (model.head() != head) {
      throw new IllegalArgumentException(
          "Invalid model head " + model.head() + ": this score needs a " + head + " head");
    }
  }
}
