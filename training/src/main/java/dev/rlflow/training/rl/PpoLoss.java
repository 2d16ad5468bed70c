package dev.rlflow.training.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlflow.core.config.AlgorithmConfig.KlEstimator;
import dev.rlflow.training.kl.KlEstimators;

/**
 * The terms of the PPO-family loss on (B, T) arrays of response tokens (ALGORITHMS.md §4), each a
 * token-mean over the positions where {@code mask} is positive: every counted token of the batch
 * weighs the same (decided in §4), so a long response is not averaged down to the weight of a short
 * one. Differentiable on the PyTorch engine; computed in float32.
 *
 * <p>Inputs that carry no gradient (old log-probabilities, advantages, returns, old values) are
 * replaced by 0 at masked positions before any arithmetic, and log-ratios are masked before their
 * exponential: padding may hold anything, even NaN or -inf, without reaching the loss or, through a
 * {@code 0 * inf} in the backward pass, the gradient.
 *
 * <p>The trainer adds them up: {@code policy + c_v * value - c_e * entropy + beta * kl}, the last
 * only where KL is placed in the loss.
 */
public final class PpoLoss {

  /**
   * Dual-clip's c (Ye et al. 2020, "Mastering Complex Control in MOBA Games with Deep Reinforcement
   * Learning", arXiv 1912.09729, eq. 5): for a negative advantage the loss of a token is at most c
   * |A|, however far its ratio has grown. ALGORITHMS.md §4 decides c = 3, veRL's default.
   */
  static final double DUAL_CLIP = 3;

  private PpoLoss() {}

  /**
   * The clipped policy loss and what it did.
   *
   * @param loss the scalar loss, differentiable in the new log-probabilities
   * @param clipFraction the share of counted tokens whose clipped term was the smaller, i.e. whose
   *     gradient the clip removed
   * @param approxKl Schulman's k3 estimate of KL(pi_old || pi_theta) per counted token, with {@code
   *     r = pi_theta / pi_old}: how far this update has moved the policy
   */
  public record Policy(NDArray loss, double clipFraction, double approxKl) {}

  /**
   * PPO's clipped surrogate (Schulman et al. 2017, "Proximal Policy Optimization Algorithms", arXiv
   * 1707.06347, eq. 7), negated to minimise:
   *
   * <pre>
   *   rho  = exp(log pi_theta - log pi_old)
   *   loss = -mean(min(rho * A, clip(rho, 1 - eps, 1 + eps) * A))
   * </pre>
   *
   * <p>The min makes the objective a pessimistic bound: the clip only ever removes the incentive to
   * move the ratio further in the direction the advantage favours, never a penalty. For A &lt; 0
   * that bound is unbounded in rho: a token the old policy found unlikely (a stale or off-policy
   * sample) and the new one likes would dominate the batch. Dual-clip bounds it: the objective is
   * {@code max(min(...), c * A)} there, {@code c = }{@link #DUAL_CLIP}, and the token gives no
   * gradient beyond.
   *
   * @param logProbs log pi_theta of each sampled token (B, T), the array to differentiate
   * @param oldLogProbs log pi_old of the same tokens at sampling time (B, T)
   * @param advantages A per token (B, T)
   * @param mask (B, T), positive on counted tokens
   * @param clipRatio eps, in [0, 1]
   */
  public static Policy policy(
      NDArray logProbs, NDArray oldLogProbs, NDArray advantages, NDArray mask, double clipRatio) {
    requireShape(logProbs, "oldLogProbs", oldLogProbs);
    requireShape(logProbs, "advantages", advantages);
    requireShape(logProbs, "mask", mask);
    if (!(clipRatio >= 0 && clipRatio <= 1)) {
      throw new IllegalArgumentException(
          "Invalid value " + clipRatio + " for clipRatio: must be in [0, 1]");
    }
    NDArray counted = mask.gt(0); // (B, T) boolean
    NDArray logRatio = maskedLogRatio(counted, logProbs, oldLogProbs); // (B, T)
    NDArray a = counted(counted, advantages); // (B, T)
    NDArray ratio = logRatio.exp(); // (B, T), 1 where masked
    NDArray surrogate = ratio.mul(a);
    NDArray clipped = ratio.clip(1 - clipRatio, 1 + clipRatio).mul(a);
    NDArray pessimistic = surrogate.minimum(clipped); // (B, T)
    // Dual-clip: where A < 0 the objective is at least c * A (c * A <= A * clip(rho) there).
    NDArray floor = a.mul(a.getManager().full(new Shape(), (float) DUAL_CLIP)); // (B, T)
    NDArray objective = NDArrays.where(a.lt(0), pessimistic.maximum(floor), pessimistic);
    NDArray loss = tokenMean(objective, counted).neg(); // ()
    double clipFraction = tokenMean(clipped.lt(surrogate), counted).getFloat();
    NDArray k3 = KlEstimators.ofLogRatio(KlEstimator.K3, logRatio.stopGradient());
    double approxKl = tokenMean(k3, counted).getFloat();
    return new Policy(loss, clipFraction, approxKl);
  }

  /**
   * raft's loss: the negative log-likelihood of the counted tokens, token-mean (RAFT, Dong et al.
   * 2023, arXiv 2304.06767, eq. 3: fine-tuning on the accepted samples). No ratio: a replayed
   * response was sampled by an older policy, and a clip on its ratio would stop the very learning
   * the replay is for.
   *
   * @param logProbs log pi_theta of each sampled token (B, T), the array to differentiate
   * @param mask (B, T), positive on counted tokens
   */
  public static NDArray likelihood(NDArray logProbs, NDArray mask) {
    requireShape(logProbs, "mask", mask);
    return tokenMean(logProbs.toType(DataType.FLOAT32, false), mask.gt(0)).neg(); // ()
  }

  /**
   * The clipped value loss of PPO's reference implementation (OpenAI baselines ppo2):
   *
   * <pre>
   *   V_clip = V_old + clip(V - V_old, -eps_v, eps_v)
   *   loss   = 1/2 mean(max((V - R)^2, (V_clip - R)^2))
   * </pre>
   *
   * <p>The max keeps the larger error, so a value that moved more than eps_v from V_old gets no
   * gradient toward R beyond the clip, while one that moved away from R keeps its full gradient.
   *
   * @param values V of each token under the critic being trained (B, T), the array to differentiate
   * @param oldValues V_old at sampling time (B, T)
   * @param returns R per token (B, T)
   * @param mask (B, T), positive on counted tokens
   * @param valueClip eps_v, {@code >= 0}
   */
  public static NDArray value(
      NDArray values, NDArray oldValues, NDArray returns, NDArray mask, double valueClip) {
    requireShape(values, "oldValues", oldValues);
    requireShape(values, "returns", returns);
    requireShape(values, "mask", mask);
    if (!(valueClip >= 0) || Double.isInfinite(valueClip)) {
      throw new IllegalArgumentException(
          "Invalid value " + valueClip + " for valueClip: must be >= 0 and finite");
    }
    NDArray counted = mask.gt(0);
    NDArray v = values.toType(DataType.FLOAT32, false); // (B, T)
    NDArray old = counted(counted, oldValues);
    NDArray r = counted(counted, returns);
    NDArray clippedV = old.add(v.sub(old).clip(-valueClip, valueClip));
    NDArray worst = v.sub(r).square().maximum(clippedV.sub(r).square()); // (B, T)
    return tokenMean(worst, counted).mul(0.5f); // ()
  }

  /**
   * The entropy of the policy at each counted position, {@code -sum_v p_v log p_v}, token-mean; the
   * trainer subtracts it times {@code algorithm.entropy_coef} to keep exploring.
   *
   * @param logits the policy's logits (B, T, V), finite
   * @param mask (B, T), positive on counted positions
   */
  public static NDArray entropy(NDArray logits, NDArray mask) {
    if (logits.getShape().dimension() != 3
        || !logits.getShape().slice(0, 2).equals(mask.getShape())) {
      throw new IllegalArgumentException(
          "Invalid shape "
              + logits.getShape()
              + " of logits: must be (B, T, V) with (B, T) the mask's "
              + mask.getShape());
    }
    NDArray logP = logits.toType(DataType.FLOAT32, false).logSoftmax(-1); // (B, T, V)
    NDArray entropy = logP.exp().mul(logP).sum(new int[] {-1}).neg(); // (B, T)
    return tokenMean(entropy, mask.gt(0)); // ()
  }

  /**
   * The KL-in-loss term (DeepSeekMath's GRPO, arXiv 2402.03300, eq. 3-4, with k3): the per-token
   * estimate of KL(pi_theta || pi_ref) with {@code r = pi_ref / pi_theta}, token-mean.
   * Differentiate it in the new log-probabilities; the trainer weights it by beta. Only k2 and k3
   * pull back as loss terms (ALGORITHMS.md §3); k1's expected gradient is zero and the
   * configuration refuses it here.
   *
   * @param logProbs log pi_theta of each sampled token (B, T)
   * @param refLogProbs log pi_ref of the same tokens (B, T)
   * @param mask (B, T), positive on counted tokens
   */
  public static NDArray kl(
      KlEstimator estimator, NDArray logProbs, NDArray refLogProbs, NDArray mask) {
    requireShape(logProbs, "refLogProbs", refLogProbs);
    requireShape(logProbs, "mask", mask);
    NDArray counted = mask.gt(0);
    NDArray logR = maskedLogRatio(counted, refLogProbs, logProbs); // log pi_ref - log pi (B, T)
    return tokenMean(KlEstimators.ofLogRatio(estimator, logR), counted); // ()
  }

  /** {@code log p - log q} where counted, 0 elsewhere, float32 (B, T). */
  private static NDArray maskedLogRatio(NDArray counted, NDArray logP, NDArray logQ) {
    return counted(counted, logP).sub(counted(counted, logQ));
  }

  /** {@code x} where counted, 0 elsewhere, float32. */
  private static NDArray counted(NDArray counted, NDArray x) {
    NDArray f = x.toType(DataType.FLOAT32, false);
    return NDArrays.where(counted, f, f.zerosLike());
  }

  /** The mean of {@code x} over counted positions, a float32 scalar; 0 when none is counted. */
  private static NDArray tokenMean(NDArray x, NDArray counted) {
    NDArray count = counted.toType(DataType.FLOAT32, false).sum().maximum(1f); // ()
    return counted(counted, x).sum().div(count);
  }

  private static void requireShape(NDArray reference, String name, NDArray array) {
    if (!array.getShape().equals(reference.getShape())) {
      throw new IllegalArgumentException(
          "Invalid shape "
              + array.getShape()
              + " of "
              + name
              + ": must equal the first argument's "
              + reference.getShape());
    }
  }
}
