package dev.rlflow.reward.prm;

import dev.rlflow.core.config.PrmConfig.Objective;
import dev.rlflow.core.label.ProcessLabel;
import dev.rlflow.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Process labels turned into what {@link PrmTrainer} learns from.
 *
 * <p>Labels are first made distinct per (question, prefix, step), keeping the one over the most
 * rollouts. For the pointwise objectives, labels along one path share a sequence: each label goes
 * to the first maximal labelled path that contains it, and is trained at its step's tag, so a
 * solution's steps cost one forward pass, not one each. For the pairwise objective, labels with the
 * same question and prefix but different steps form a sibling group; each sibling is its own
 * sequence ending with the sibling step.
 */
public final class PrmTrainingSet {
  private PrmTrainingSet() {}

  /**
   * One sequence and the steps trained in it.
   *
   * @param sequence question and steps
   * @param steps indices of the trained steps (into the sequence's tags)
   * @param targets the target P(correct) of each trained step
   */
  public record Example(StepSequence sequence, int[] steps, double[] targets) {}

  /**
   * Sibling steps after one prefix.
   *
   * @param siblings one sequence per sibling, ending with it
   * @param values the siblings' Monte Carlo values
   */
  public record SiblingGroup(List<StepSequence> siblings, double[] values) {}

  /** The labels with duplicates of a (question, prefix, step) removed, most rollouts kept. */
  public static List<ProcessLabel> distinct(List<ProcessLabel> labels) {
    Map<List<String>, ProcessLabel> byPath = new LinkedHashMap<>();
    for (ProcessLabel label : labels) {
      List<String> key = new ArrayList<>();
      key.add(label.questionId());
      key.addAll(path(label));
      byPath.merge(key, label, (kept, next) -> next.rollouts() > kept.rollouts() ? next : kept);
    }
    return List.copyOf(byPath.values());
  }

  /** Examples for the soft or hard objective, one per maximal labelled path. */
  public static List<Example> pointwise(
      List<ProcessLabel> labels, Objective objective, Tokenizer tokenizer) {
    if (objective == Objective.PAIRWISE) {
      throw new IllegalArgumentException("pointwise examples are for the soft and hard objectives");
    }
    Map<String, List<ProcessLabel>> byQuestion = new LinkedHashMap<>();
    for (ProcessLabel label : distinct(labels)) {
      byQuestion.computeIfAbsent(label.questionId(), q -> new ArrayList<>()).add(label);
    }
    List<Example> examples = new ArrayList<>();
    for (List<ProcessLabel> question : byQuestion.values()) {
      Map<List<String>, ProcessLabel> byPath = new LinkedHashMap<>();
      Set<List<String>> inner = new HashSet<>();
      for (ProcessLabel label : question) {
        List<String> path = path(label);
        byPath.put(path, label);
        for (int k = 1; k < path.size(); k++) {
          inner.add(path.subList(0, k));
        }
      }
      Set<List<String>> assigned = new HashSet<>();
      for (List<String> leaf : byPath.keySet()) {
        if (inner.contains(leaf)) {
          continue;
        }
        List<Integer> steps = new ArrayList<>();
        List<Double> targets = new ArrayList<>();
        for (int k = 1; k <= leaf.size(); k++) {
          List<String> prefix = leaf.subList(0, k);
          ProcessLabel label = byPath.get(prefix);
          if (label != null && assigned.add(List.copyOf(prefix))) {
            steps.add(k - 1);
            targets.add(objective == Objective.SOFT ? label.mcValue() : label.correct() ? 1 : 0);
          }
        }
        StepSequence sequence = StepSequence.encode(tokenizer, question.get(0).question(), leaf);
        examples.add(
            new Example(
                sequence,
                steps.stream().mapToInt(Integer::intValue).toArray(),
                targets.stream().mapToDouble(Double::doubleValue).toArray()));
      }
    }
    return examples;
  }

  /** Sibling groups of at least two steps, for the pairwise objective. */
  public static List<SiblingGroup> pairwise(List<ProcessLabel> labels, Tokenizer tokenizer) {
    Map<List<String>, List<ProcessLabel>> byPrefix = new LinkedHashMap<>();
    for (ProcessLabel label : distinct(labels)) {
      List<String> key = new ArrayList<>();
      key.add(label.questionId());
      key.addAll(label.prefixSteps());
      byPrefix.computeIfAbsent(key, k -> new ArrayList<>()).add(label);
    }
    List<SiblingGroup> groups = new ArrayList<>();
    for (List<ProcessLabel> siblings : byPrefix.values()) {
      if (siblings.size() < 2) {
        continue;
      }
      List<StepSequence> sequences = new ArrayList<>();
      double[] values = new double[siblings.size()];
      for (int i = 0; i < siblings.size(); i++) {
        ProcessLabel label = siblings.get(i);
        sequences.add(StepSequence.encode(tokenizer, label.question(), path(label)));
        values[i] = label.mcValue();
      }
      groups.add(new SiblingGroup(sequences, values));
    }
    return groups;
  }

  /** The steps from the question to the labelled one, the labelled one last. */
  public static List<String> path(ProcessLabel label) {
    List<String> path = new ArrayList<>(label.prefixSteps().size() + 1);
    path.addAll(label.prefixSteps());
    path.add(label.step());
    return path;
  }
}
