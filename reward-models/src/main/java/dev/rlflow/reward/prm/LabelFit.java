package dev.rlflow.reward.prm;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.StepChecker;
import java.util.List;

/**
 * How a PRM's scores of the labels' own steps agree with a set of labels.
 *
 * @param labels labels scored
 * @param labelAccuracy share where the score, against the decision threshold, agrees with the hard
 *     label (MC > 0)
 * @param bce mean binary cross-entropy of P(correct) against the soft label (MC)
 * @param stepAccuracy share where that verdict agrees with the ground-truth step checker (arith);
 *     NaN without ground truth
 */
public record LabelFit(
    long labels,
    @JsonProperty("label_accuracy") double labelAccuracy,
    double bce,
    @JsonProperty("step_accuracy") double stepAccuracy) {

  /**
   * The fit of the scores {@code p} (one per label, of its own step, the last of its path) against
   * {@code labels}, a step called correct above {@code threshold}; against the arith task's step
   * checker too when {@code arithTruth}. No labels: NaN figures.
   */
  public static LabelFit of(
      List<ProcessLabel> labels, double[] p, boolean arithTruth, double threshold) {
    if (labels.isEmpty()) {
      return new LabelFit(0, Double.NaN, Double.NaN, Double.NaN);
    }
    long agree = 0;
    long truthAgree = 0;
    double bce = 0;
    StepChecker checker = new StepChecker();
    for (int i = 0; i < p.length; i++) {
      ProcessLabel label = labels.get(i);
      boolean predicted = p[i] > threshold;
      agree += predicted == label.correct() ? 1 : 0;
      double q = Math.min(Math.max(p[i], 1e-7), 1 - 1e-7);
      bce -= label.mcValue() * Math.log(q) + (1 - label.mcValue()) * Math.log(1 - q);
      if (arithTruth) {
        List<String> path = PrmTrainingSet.path(label);
        boolean truth =
            checker
                .check(
                    ArithProblem.parse(label.questionId(), label.question()),
                    String.join("\n", path))
                .prefixCorrect(path.size());
        truthAgree += predicted == truth ? 1 : 0;
      }
    }
    int n = p.length;
    return new LabelFit(
        n, (double) agree / n, bce / n, arithTruth ? (double) truthAgree / n : Double.NaN);
  }
}
