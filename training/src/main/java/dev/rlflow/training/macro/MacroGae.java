package dev.rlflow.training.macro;

import dev.rlflow.training.advantage.Gae;
import dev.rlflow.training.advantage.TokenAdvantages;

/**
 * GAE over macro actions (MA-RLHF, arXiv 2410.02743, §3; ALGORITHMS.md §5): the rewards and the
 * values of the tokens of each macro action are averaged with equal weights, {@link Gae} runs over
 * the macro-action indices, and every token of a macro action gets its macro action's advantage and
 * return. Each token keeps its own probability ratio in the PPO loss.
 *
 * <p>Averaging (not summing) the rewards follows ALGORITHMS.md §5 and the paper's code, which pools
 * rewards and values with the same function. It means that a step reward or KL penalty on a token
 * inside a macro action of k tokens counts 1/k; the outcome reward keeps its full weight because
 * the last token is a macro action of its own. gamma and lambda discount once per macro action, so
 * credit travels back over fewer, longer actions: the point of the method.
 *
 * <p>With one token per macro action the averages are the token values themselves, bit for bit, and
 * this is token-level GAE exactly.
 */
public final class MacroGae {

  private MacroGae() {}

  /**
   * Per-token advantages and returns of one response.
   *
   * @param rewards per-token rewards
   * @param values per-token critic values
   * @param segmentation the response's macro actions, covering every token
   * @param gamma discount per macro action, in [0, 1]
   * @param lambda GAE lambda, in [0, 1]
   * @throws IllegalArgumentException if an array is not one value per token, or gamma or lambda is
   *     outside [0, 1]
   */
  public static TokenAdvantages estimate(
      double[] rewards, double[] values, Segmentation segmentation, double gamma, double lambda) {
    TokenAdvantages macro =
        Gae.estimate(segmentation.average(rewards), segmentation.average(values), gamma, lambda);
    return new TokenAdvantages(
        segmentation.broadcast(macro.advantages()), segmentation.broadcast(macro.returns()));
  }
}
