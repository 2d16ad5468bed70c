package dev.rlflow.jobs.eval;

import dev.rlflow.core.config.PolicyConfig;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import java.io.Serializable;

/**
 * What an evaluation subtask needs, in a form that travels inside the job graph.
 *
 * @param checkpoint the policy's Hugging Face checkpoint directory (local path)
 * @param tokenizer {@code char} or a tokenizer.json path
 * @param device {@code policy.device}
 * @param dtype {@code policy.dtype}
 * @param maxNewTokens longest solution
 * @param samples sampled solutions per problem
 * @param temperature temperature of the samples
 * @param batchSize problems per generation call
 * @param seed the run seed
 * @param arith whether the ground-truth step checker applies
 */
public record EvalSettings(
    String checkpoint,
    String tokenizer,
    PolicyConfig.Device device,
    PolicyConfig.Dtype dtype,
    int maxNewTokens,
    int samples,
    double temperature,
    int batchSize,
    long seed,
    boolean arith)
    implements Serializable {

  /** Settings for evaluating {@code checkpoint} as {@code config} asks. */
  public static EvalSettings of(RunConfig config, String checkpoint) {
    return new EvalSettings(
        checkpoint,
        config.policy().tokenizer(),
        config.policy().device(),
        config.policy().dtype(),
        config.rollout().maxNewTokens(),
        config.eval().samples(),
        config.eval().temperature(),
        config.eval().batchSize(),
        config.run().seed(),
        config.task().name() == TaskConfig.TaskName.ARITH);
  }
}
