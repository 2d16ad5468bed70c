package dev.rlflow.reward.omega;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A fake policy on arith-like questions: a question is a chain of operations on a start value, a
 * solution one step per operation ({@code 7 * 3 = 21}) and an {@code answer:} line. The policy gets
 * each step right with its question's probability p and otherwise writes a result off by 1 or 2;
 * later steps compute correctly from what was written, so one wrong step makes the answer wrong and
 * the ground truth of a prefix is whether it equals the right solution's prefix.
 *
 * <p>Each question draws from its own random stream, so a search's rollouts depend only on its own
 * requests, not on the searches it shares calls with.
 */
final class ArithChainPolicy implements Completer {

  /** One question: {@code start}, then {@code ops[i]} applied with {@code operands[i]}. */
  record Chain(
      Question question, long start, List<Character> ops, List<Integer> operands, double p) {

    List<String> rightSteps() {
      List<String> steps = new ArrayList<>();
      long value = start;
      for (int i = 0; i < ops.size(); i++) {
        long next = apply(i, value);
        steps.add(step(i, value, next));
        value = next;
      }
      return steps;
    }

    long answer() {
      long value = start;
      for (int i = 0; i < ops.size(); i++) {
        value = apply(i, value);
      }
      return value;
    }

    long apply(int i, long value) {
      int operand = operands.get(i);
      return switch (ops.get(i)) {
        case '+' -> value + operand;
        case '-' -> value - operand;
        default -> value * operand;
      };
    }

    String step(int i, long value, long result) {
      return value + " " + ops.get(i) + " " + operands.get(i) + " = " + result;
    }

    SolutionVerifier verifier() {
      String answerLine = "\nanswer: " + answer();
      return (prefix, continuation) -> ("\n" + continuation.text()).endsWith(answerLine);
    }

    /** True when the prefix is the right solution's prefix: every step of it is right. */
    boolean isRight(List<String> prefix) {
      return rightSteps().subList(0, prefix.size()).equals(prefix);
    }

    /** P(a rollout from the prefix is correct): p^(steps left) when the prefix is right, else 0. */
    double trueValue(List<String> prefix) {
      return isRight(prefix) ? Math.pow(p, ops.size() - prefix.size()) : 0.0;
    }
  }

  private final Map<String, Chain> chains = new HashMap<>();
  private final Map<String, Random> streams = new HashMap<>();

  /** {@code questions} chains of 3 to 8 steps with p in [0.7, 0.95], the same for the same seed. */
  ArithChainPolicy(int questions, long seed) {
    Random random = new Random(seed);
    for (int q = 0; q < questions; q++) {
      int steps = 3 + random.nextInt(6);
      List<Character> ops = new ArrayList<>();
      List<Integer> operands = new ArrayList<>();
      for (int i = 0; i < steps; i++) {
        char op = "+-*".charAt(random.nextInt(3));
        ops.add(op);
        operands.add(op == '*' ? 2 + random.nextInt(2) : 1 + random.nextInt(20));
      }
      double p = 0.7 + 0.25 * random.nextDouble();
      long start = 1 + random.nextInt(20);
      Question question =
          new Question("arith-" + q, "Start from " + start + " and apply " + ops + operands);
      chains.put(question.id(), new Chain(question, start, ops, operands, p));
      streams.put(question.id(), new Random(seed * 31 + q));
    }
  }

  List<Chain> chains() {
    return chains.values().stream()
        .sorted((a, b) -> a.question().id().compareTo(b.question().id()))
        .toList();
  }

  Chain chain(String questionId) {
    return chains.get(questionId);
  }

  @Override
  public List<List<Continuation>> complete(List<RolloutRequest> requests) {
    List<List<Continuation>> answers = new ArrayList<>();
    for (RolloutRequest request : requests) {
      List<Continuation> continuations = new ArrayList<>();
      for (int i = 0; i < request.count(); i++) {
        continuations.add(rollout(request.question().id(), request.prefixSteps()));
      }
      answers.add(continuations);
    }
    return answers;
  }

  private Continuation rollout(String questionId, List<String> prefix) {
    Chain chain = chains.get(questionId);
    Random random = streams.get(questionId);
    long value =
        prefix.isEmpty()
            ? chain.start()
            : Long.parseLong(prefix.get(prefix.size() - 1).replaceAll(".* = ", ""));
    boolean right = chain.isRight(prefix);
    StringBuilder text = new StringBuilder();
    for (int i = prefix.size(); i < chain.ops().size(); i++) {
      long next = chain.apply(i, value);
      // Off the right path, every operation is injective, so the answer stays wrong; a second
      // error could cancel the first, so the policy errs only while still on the right path.
      if (right && random.nextDouble() >= chain.p()) {
        next += (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(2));
        right = false;
      }
      text.append(chain.step(i, value, next)).append('\n');
      value = next;
    }
    text.append("answer: ").append(value);
    return new Continuation(text.toString(), text.length());
  }
}
