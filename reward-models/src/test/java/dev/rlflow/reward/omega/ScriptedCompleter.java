package dev.rlflow.reward.omega;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * A deterministic completer for exact tests: a script maps (request, index of the rollout within
 * it) to a continuation; every call is recorded. Continuations end in {@code answer: right} or
 * {@code answer: wrong}, which {@link #VERIFIER} judges.
 */
final class ScriptedCompleter implements Completer {
  static final SolutionVerifier VERIFIER =
      (prefix, continuation) -> continuation.text().endsWith("answer: right");

  private final BiFunction<RolloutRequest, Integer, Continuation> script;
  private final List<List<RolloutRequest>> calls = new ArrayList<>();

  ScriptedCompleter(BiFunction<RolloutRequest, Integer, Continuation> script) {
    this.script = script;
  }

  static Continuation right(String... steps) {
    return solution(steps, "answer: right");
  }

  static Continuation wrong(String... steps) {
    return solution(steps, "answer: wrong");
  }

  private static Continuation solution(String[] steps, String answerLine) {
    List<String> lines = new ArrayList<>(List.of(steps));
    lines.add(answerLine);
    String text = String.join("\n", lines);
    return new Continuation(text, text.length());
  }

  @Override
  public List<List<Continuation>> complete(List<RolloutRequest> requests) {
    calls.add(List.copyOf(requests));
    return requests.stream()
        .map(
            request ->
                IntStream.range(0, request.count())
                    .mapToObj(i -> script.apply(request, i))
                    .toList())
        .toList();
  }

  /** Answers a search's requests one at a time until it is done, as a driver of one would. */
  void run(LabelSearch search) {
    while (search.pending().isPresent()) {
      search.accept(complete(List.of(search.pending().get())).get(0));
    }
  }

  List<List<RolloutRequest>> calls() {
    return calls;
  }

  /** The prefix length of every request, in call order. */
  List<Integer> prefixLengths() {
    return calls.stream()
        .flatMap(List::stream)
        .map(request -> request.prefixSteps().size())
        .toList();
  }
}
