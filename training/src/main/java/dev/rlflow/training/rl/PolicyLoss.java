package dev.rlflow.training.rl;

import ai.djl.ndarray.NDArray;
import dev.rlflow.core.config.AlgorithmConfig;

/**
 * The actor's objective, chosen by the algorithm's name: PPO's clipped surrogate for the
 * policy-gradient algorithms, the likelihood of the accepted tokens for raft.
 */
enum PolicyLoss {
  /** PPO-clip over every response token ({@link PpoLoss#policy}). */
  PPO_CLIP {
    @Override
    NDArray tokenMask(NDArray mask, NDArray advantages) {
      return mask;
    }

    @Override
    NDArray objective(PpoLoss.Policy clipped, NDArray logProbs, NDArray mask) {
      return clipped.loss();
    }
  },
  /**
   * raft's negative log-likelihood ({@link PpoLoss#likelihood}), a mean over the accepted tokens
   * (advantage > 0) alone, not diluted by the rest.
   */
  LIKELIHOOD {
    @Override
    NDArray tokenMask(NDArray mask, NDArray advantages) {
      return mask.mul(advantages.gt(0).toType(mask.getDataType(), false));
    }

    @Override
    NDArray objective(PpoLoss.Policy clipped, NDArray logProbs, NDArray mask) {
      return PpoLoss.likelihood(logProbs, mask);
    }
  };

  /** The loss of {@code name}. */
  static PolicyLoss of(AlgorithmConfig.Name name) {
    return name == AlgorithmConfig.Name.RAFT ? LIKELIHOOD : PPO_CLIP;
  }

  /** The tokens the loss and its statistics count, from the response-token {@code mask} (B, T). */
  abstract NDArray tokenMask(NDArray mask, NDArray advantages);

  /**
   * The scalar to minimise, given the clipped surrogate (computed for its statistics whatever the
   * loss) and the new log-probs (B, T) over the counted {@code mask}.
   */
  abstract NDArray objective(PpoLoss.Policy clipped, NDArray logProbs, NDArray mask);
}
