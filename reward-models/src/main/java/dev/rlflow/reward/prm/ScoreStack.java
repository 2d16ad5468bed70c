package dev.rlflow.reward.prm;

/**
 * How a PRM turns its two signals about a step into P(correct): σ(head · margin + confidence · c +
 * bias), where margin is the step-score head's logit(correct) − logit(incorrect) at the step's tag
 * and c the {@link PolicyConfidence} of the prefix. The three numbers are fitted after the head is
 * trained, on the same training labels and with the same objective (a stacked logistic regression):
 * BCE against the soft or hard targets, or Bradley–Terry on sibling pairs, where the bias cancels
 * and stays 0. {@link #HEAD_ONLY} is the plain PRM, σ(margin).
 *
 * @param head weight of the head's margin
 * @param confidence weight of the policy confidence
 * @param bias constant
 */
public record ScoreStack(double head, double confidence, double bias) {
  /** The plain PRM: σ(margin), the policy's confidence unused. */
  public static final ScoreStack HEAD_ONLY = new ScoreStack(1, 0, 0);

  /**
   * An L2 penalty on the two weights (not the bias), small enough to leave a well-posed fit
   * unchanged and large enough to keep separable labels from sending the weights to infinity.
   */
  static final double RIDGE = 1e-6;

  private static final int MAX_ITERATIONS = 100;

  public ScoreStack {
    if (!Double.isFinite(head) || !Double.isFinite(confidence) || !Double.isFinite(bias)) {
      throw new IllegalArgumentException(
          "Invalid score stack (" + head + ", " + confidence + ", " + bias + "): must be finite");
    }
  }

  /** True when the policy's confidence takes part, so a policy must be there to compute it. */
  public boolean usesConfidence() {
    return confidence != 0;
  }

  /** P(correct) of a step with this head margin and prefix confidence. */
  public double probability(double margin, double prefixConfidence) {
    return sigmoid(logit(margin, prefixConfidence));
  }

  /** head · margin + confidence · c + bias. */
  public double logit(double margin, double prefixConfidence) {
    return head * margin + confidence * prefixConfidence + bias;
  }

  /**
   * The stack minimising the mean cross-entropy of σ(head · margins[i] + confidence ·
   * confidences[i] + bias) against {@code targets[i]} ∈ [0, 1].
   */
  public static ScoreStack fit(double[] margins, double[] confidences, double[] targets) {
    check(margins, confidences, targets);
    double[][] x = new double[margins.length][];
    for (int i = 0; i < x.length; i++) {
      x[i] = new double[] {margins[i], confidences[i], 1};
    }
    double[] w = newton(x, targets, 2);
    return new ScoreStack(w[0], w[1], w[2]);
  }

  /**
   * Newton's method on the convex mean cross-entropy plus RIDGE/2 · Σ w_j² over the first {@code
   * penalised} weights, from w = 0, with step halving so that every step lowers the objective.
   */
  private static double[] newton(double[][] x, double[] y, int penalised) {
    int k = x[0].length;
    double[] w = new double[k];
    double current = objective(x, y, w, penalised);
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double[] gradient = new double[k];
      double[][] hessian = new double[k][k];
      for (int i = 0; i < x.length; i++) {
        double p = sigmoid(dot(w, x[i]));
        double s = p * (1 - p);
        for (int a = 0; a < k; a++) {
          gradient[a] += (p - y[i]) * x[i][a] / x.length;
          for (int b = 0; b < k; b++) {
            hessian[a][b] += s * x[i][a] * x[i][b] / x.length;
          }
        }
      }
      for (int a = 0; a < penalised; a++) {
        gradient[a] += RIDGE * w[a];
        hessian[a][a] += RIDGE;
      }
      double[] step = solve(hessian, gradient);
      double scale = 1;
      double[] next = new double[k];
      double value;
      do {
        for (int a = 0; a < k; a++) {
          next[a] = w[a] - scale * step[a];
        }
        value = objective(x, y, next, penalised);
        scale /= 2;
      } while (value > current && scale > 1e-12);
      if (value > current) {
        break; // no descent left: at the optimum up to rounding
      }
      double moved = 0;
      for (int a = 0; a < k; a++) {
        moved = Math.max(moved, Math.abs(next[a] - w[a]));
      }
      w = next.clone();
      current = value;
      if (moved < 1e-12) {
        break;
      }
    }
    return w;
  }

  private static double objective(double[][] x, double[] y, double[] w, int penalised) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double z = dot(w, x[i]);
      // softplus(z) − y·z, computed stably
      sum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z;
    }
    double penalty = 0;
    for (int a = 0; a < penalised; a++) {
      penalty += w[a] * w[a];
    }
    return sum / x.length + RIDGE / 2 * penalty;
  }

  /** Solves h · s = g by Gaussian elimination with partial pivoting (h is positive definite). */
  private static double[] solve(double[][] h, double[] g) {
    int k = g.length;
    double[][] m = new double[k][k + 1];
    for (int a = 0; a < k; a++) {
      System.arraycopy(h[a], 0, m[a], 0, k);
      m[a][k] = g[a];
    }
    for (int c = 0; c < k; c++) {
      int pivot = c;
      for (int r = c + 1; r < k; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      double[] swap = m[c];
      m[c] = m[pivot];
      m[pivot] = swap;
      for (int r = c + 1; r < k; r++) {
        double f = m[r][c] / m[c][c];
        for (int j = c; j <= k; j++) {
          m[r][j] -= f * m[c][j];
        }
      }
    }
    double[] s = new double[k];
    for (int r = k - 1; r >= 0; r--) {
      double v = m[r][k];
      for (int j = r + 1; j < k; j++) {
        v -= m[r][j] * s[j];
      }
      s[r] = v / m[r][r];
    }
    return s;
  }

  private static double dot(double[] w, double[] x) {
    double z = 0;
    for (int a = 0; a < w.length; a++) {
      z += w[a] * x[a];
    }
    return z;
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  private static void check(double[] a, double[] b, double[] targets) {
    if (a.length != b.length || a.length != targets.length || a.length == 0) {
      throw new IllegalArgumentException(
          a.length
              + " margins, "
              + b.length
              + " confidences and "
              + targets.length
              + " targets: must be equal and > 0");
    }
    for (int i = 0; i < targets.length; i++) {
      if (!(targets[i] >= 0 && targets[i] <= 1)
          || !Double.isFinite(a[i])
          || !Double.isFinite(b[i])) {
        throw new IllegalArgumentException(
            "Invalid example "
                + i
                + " (margin "
                + a[i]
                + ", confidence "
                + b[i]
                + ", target "
                + targets[i]
                + "): features must be finite and the target in [0, 1]");
      }
    }
  }
}
