package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.config.RewardConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.reward.prm.ProcessRewardModel;
import dev.rlflow.reward.prm.StepSequence;
import dev.rlflow.reward.verifier.OutcomeVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Reward (DESIGN.md §3): the verifier's outcome reward ({@code reward.outcome_weight} when {@code
 * reward.verifier} accepts the response, else 0) and, with a PRM, a reward on every step's last
 * token: {@code reward.step_weight * (score - threshold)}, the PRM's score centred on its own
 * decision threshold (prm.json), so a step the PRM judges wrong costs and one it judges right pays.
 *
 * <p>Steps are the response's token segments ending at the rollout's step ends; a blank segment (a
 * stop token alone after the last newline) gets no step reward. All steps of a batch are scored in
 * one PRM pass per {@code eval.batch_size} responses.
 */
final class RewardFunction extends RichMapFunction<RlBatch, RlBatch> {
  private final RunContext run;
  private final String prmCheckpoint;
  private transient RunConfig config;
  private transient Tokenizer tokenizer;
  private transient ProcessRewardModel prm;
  private transient double threshold;

  /** {@code prmCheckpoint} may be null: outcome rewards only. */
  RewardFunction(RunContext run, String prmCheckpoint) {
    this.run = run;
    this.prmCheckpoint = prmCheckpoint;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    config = run.config();
    tokenizer = Tokenizers.load(config.policy().tokenizer());
    if (prmCheckpoint != null && config.reward().stepWeight() > 0) {
      Path dir = Path.of(prmCheckpoint);
      threshold = ProcessRewardModel.metadata(dir).decisionThreshold();
      prm =
          ProcessRewardModel.load(
              dir, ComputeTarget.of(config.policy()), config.eval().batchSize());
    }
  }

  @Override
  public RlBatch map(RlBatch batch) {
    long start = System.nanoTime();
    RewardConfig reward = config.reward();
    List<RlResponse> scored = new ArrayList<>(batch.responses().size());
    List<StepSequence> sequences = new ArrayList<>();
    List<int[]> stepOfSegment = new ArrayList<>();
    List<Integer> withSteps = new ArrayList<>(); // responses with at least one non-blank step
    for (RlResponse r : batch.responses()) {
      String text = tokenizer.decode(r.tokens());
      PromptBatch.RlPrompt p = r.prompt();
      boolean correct =
          OutcomeVerifier.of(reward.verifier(), p.problemId(), p.question(), p.answer())
              .correct(text);
      scored.add(r.scored(correct, correct ? reward.outcomeWeight() : 0, new double[0]));
      if (prm != null) {
        List<String> steps = new ArrayList<>();
        int[] segmentStep = segments(r, steps);
        if (!steps.isEmpty()) {
          sequences.add(StepSequence.encode(tokenizer, p.question(), steps));
          stepOfSegment.add(segmentStep);
          withSteps.add(scored.size() - 1);
        }
      }
    }
    if (prm != null) {
      double[][] scores = prm.score(sequences);
      for (int n = 0; n < withSteps.size(); n++) {
        int i = withSteps.get(n);
        int[] segmentStep = stepOfSegment.get(n);
        double[] rewards = new double[segmentStep.length];
        for (int k = 0; k < segmentStep.length; k++) {
          rewards[k] =
              segmentStep[k] < 0
                  ? 0
                  : reward.stepWeight() * (scores[n][segmentStep[k]] - threshold);
        }
        RlResponse r = scored.get(i);
        scored.set(i, r.scored(r.correct(), r.outcome(), rewards));
      }
    }
    return batch.scored(scored, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Splits the response at its step ends into the non-blank step texts (added to {@code steps});
   * returns, per step end, the index of its step in {@code steps}, or -1 for a blank segment.
   */
  private int[] segments(RlResponse r, List<String> steps) {
    int[] ends = r.stepEnds();
    int[] tokens = r.tokens();
    int[] segmentStep = new int[ends.length];
    int from = 0;
    for (int k = 0; k < ends.length; k++) {
      String text = tokenizer.decode(Arrays.copyOfRange(tokens, from, ends[k] + 1)).strip();
      from = ends[k] + 1;
      if (text.isEmpty()) {
        segmentStep[k] = -1;
      } else {
        segmentStep[k] = steps.size();
        steps.add(text);
      }
    }
    return segmentStep;
  }

  @Override
  public void close() throws Exception {
    if (prm != null) {
      try {
        prm.close();
      } catch (RuntimeException ignored) {
        // a closing task must not fail
      }
    }
    super.close();
  }
}
