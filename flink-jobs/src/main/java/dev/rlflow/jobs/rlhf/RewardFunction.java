package dev.rlflow.jobs.rlhf;

import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import dev.rlflow.core.rl.ScoredResponse;
import dev.rlflow.jobs.runner.ModelDirectories;
import dev.rlflow.jobs.runner.NonRetriable;
import dev.rlflow.jobs.runner.RunContext;
import dev.rlflow.model.ComputeTarget;
import dev.rlflow.model.tokenizer.Tokenizer;
import dev.rlflow.model.tokenizer.Tokenizers;
import dev.rlflow.reward.prm.ProcessRewardModel;
import dev.rlflow.reward.response.ResponseRewards;
import dev.rlflow.reward.verifier.StepAudit;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Reward (DESIGN.md §3): scores each generated batch with {@link ResponseRewards}, the verifier's
 * outcome reward and, given a PRM and {@code reward.step_weight > 0}, its step rewards centred on
 * {@code reward.step_threshold}, by default the PRM's own decision threshold (prm.json). All steps
 * of a batch are scored in one PRM pass per {@code eval.batch_size} responses. On arith, it also
 * counts the accepted responses with a wrong step ({@link StepAudit}), a measurement the trainer
 * reports and never learns from.
 */
final class RewardFunction extends RichMapFunction<GeneratedBatch, RlBatch> {
  private final RunContext run;
  private final String prmCheckpoint;
  private transient Tokenizer tokenizer;
  private transient ProcessRewardModel prm;
  private transient ResponseRewards rewards;
  private transient boolean audited; // the task has a ground-truth step checker (arith)

  /** {@code prmCheckpoint} may be null: outcome rewards only. */
  RewardFunction(RunContext run, String prmCheckpoint) {
    this.run = run;
    this.prmCheckpoint = prmCheckpoint;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    try {
      load(context);
    } catch (Exception e) {
      throw NonRetriable.classify(e);
    }
  }

  private void load(OpenContext context) throws Exception {
    RunConfig config = run.config();
    tokenizer = Tokenizers.load(config.policy().tokenizer());
    audited = config.task().name() == TaskConfig.TaskName.ARITH;
    if (prmCheckpoint != null && config.reward().stepWeight() > 0) {
      Path dir = ModelDirectories.local(prmCheckpoint);
      double threshold =
          config
              .reward()
              .stepThreshold()
              .orElse(ProcessRewardModel.metadata(dir).decisionThreshold());
      prm =
          ProcessRewardModel.load(
              dir, ComputeTarget.of(config.policy()), config.eval().batchSize());
      rewards = ResponseRewards.withSteps(config.reward(), tokenizer, prm::score, threshold);
    } else {
      rewards = ResponseRewards.outcomeOnly(config.reward(), tokenizer);
    }
  }

  @Override
  public RlBatch map(GeneratedBatch batch) {
    try {
      return score(batch);
    } catch (RuntimeException e) {
      throw NonRetriable.classify(e);
    }
  }

  private RlBatch score(GeneratedBatch batch) {
    long start = System.nanoTime();
    List<ScoredResponse> scored = rewards.score(batch.responses());
    double seconds = (System.nanoTime() - start) / 1e9;
    return batch.scored(
        scored, seconds, audited ? StepAudit.acceptedWithWrongStep(scored, tokenizer) : -1);
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
