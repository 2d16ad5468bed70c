package dev.rlflow.training.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.core.rl.Response;
import dev.rlflow.training.Autograd;
import dev.rlflow.training.sft.SftBatch;
import dev.rlflow.training.sft.SftExample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The rows of one optimizer update, laid out for teacher forcing as an {@link SftBatch}. */
record Minibatch(List<Row> rows) {
  Minibatch {
    rows = List.copyOf(rows);
  }

  /** The prompt + response sequences, right-padded with {@code padId}. */
  SftBatch batch(int padId, NDManager scope) {
    List<SftExample> examples = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Response r = row.response().response();
      examples.add(new SftExample(r.prompt().tokens(), r.tokens()));
    }
    return SftBatch.of(examples, padId, scope);
  }

  /**
   * Per-response-token values laid out like {@link #batch}: response token j of a prompt of P
   * tokens sits at input position P - 1 + j (the position that predicts it); 0 elsewhere.
   */
  NDArray perToken(Function<Row, double[]> values, Shape shape, NDManager scope) {
    int width = (int) shape.get(1);
    float[] out = new float[rows.size() * width];
    for (int row = 0; row < rows.size(); row++) {
      double[] v = values.apply(rows.get(row));
      int first = rows.get(row).response().prompt().length() - 1;
      for (int j = 0; j < v.length; j++) {
        out[row * width + first + j] = (float) v[j];
      }
    }
    return Autograd.owned(scope.create(out, shape));
  }

  /** Response tokens of the rows, summed. */
  long tokens() {
    long tokens = 0;
    for (Row row : rows) {
      tokens += row.tokens();
    }
    return tokens;
  }
}
