package dev.rlflow.training.advantage;

import java.util.ArrayList;
import java.util.List;

/**
 * REINFORCE++ advantages (Hu 2025, "REINFORCE++: A Simple and Efficient Approach for Aligning Large
 * Language Models", arXiv 2501.03262): each token's discounted return of the token rewards (which
 * carry the KL penalty, {@link TokenRewards}), whitened over the global batch, no critic.
 *
 * <pre>
 *   G_t = sum_{s >= t} gamma^(s - t) r_s,     A = whiten(G) over all tokens of the batch
 * </pre>
 *
 * <p>Whitening over the whole batch rather than per prompt is the paper's point: a group baseline
 * overfits to the few samples of one prompt, the global statistics do not.
 */
public final class ReinforcePlusPlus {

  private ReinforcePlusPlus() {}

  /**
   * The advantages of every response of the batch, with the unwhitened returns G.
   *
   * @param tokenRewards the token rewards of each response
   * @param gamma discount, in [0, 1] (the paper uses 1)
   * @return per-token advantages and returns of each response, in order
   * @throws IllegalArgumentException if the batch is empty, a response has no token, or gamma is
   *     outside [0, 1]
   */
  public static List<TokenAdvantages> estimate(List<double[]> tokenRewards, double gamma) {
    List<double[]> returns = new ArrayList<>(tokenRewards.size());
    for (double[] rewards : tokenRewards) {
      returns.add(Gae.rewardToGo(rewards, gamma));
    }
    List<double[]> advantages = Whitening.whiten(returns);
    List<TokenAdvantages> out = new ArrayList<>(returns.size());
    for (int i = 0; i < returns.size(); i++) {
      out.add(new TokenAdvantages(advantages.get(i), returns.get(i)));
    }
    return out;
  }
}
