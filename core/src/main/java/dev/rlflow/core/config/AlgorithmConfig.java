package dev.rlflow.core.config;

/**
 * The {@code algorithm} section: the RL update (ALGORITHMS.md §3-§5).
 *
 * <p>Its keys are declared in {@link AlgorithmOptions}, its cross-key rules in {@link
 * AlgorithmRules}.
 *
 * @param name the advantage estimator and loss family
 * @param clipRatio PPO's epsilon: the ratio is clipped to [1 - eps, 1 + eps]
 * @param valueClip clip range of the value loss around the old values
 * @param klCoef weight of the KL penalty to the reference policy
 * @param klEstimator which Schulman estimator of KL(pi || pi_ref) is used
 * @param klPlacement whether KL enters the reward or the loss
 * @param adaptiveKl adapt klCoef toward klTarget (Ziegler et al. 2019)
 * @param klTarget the KL the adaptive controller steers toward
 * @param klHorizon responses over which the adaptive controller's error moves klCoef by about that
 *     fraction
 * @param gamma GAE discount
 * @param lambda GAE lambda
 * @param epochs passes over one batch of rollouts
 * @param minibatchSize responses per optimizer step
 * @param actorLr actor learning rate
 * @param criticLr critic learning rate
 * @param criticWarmupIterations ppo's first iterations, which update the critic alone
 * @param lrWarmupUpdates actor updates over which its learning rate rises linearly to actorLr
 * @param entropyCoef weight of the entropy bonus
 * @param whitenAdvantages normalise advantages over the batch
 * @param macroActions how responses are segmented into macro actions (MA-RLHF)
 * @param macroN n-gram length for {@code fixed} macro actions
 * @param replaySize accepted responses of earlier iterations that raft keeps and mixes into its
 *     minibatches (0: none)
 * @param gradClip global gradient-norm clip of the actor's and the critic's updates
 * @param maxSkippedUpdates consecutive non-finite actor (or critic) updates tolerated before the
 *     run fails
 * @param mcRollouts vineppo's K: continuations per probed step prefix
 * @param mcProbes which step prefixes vineppo probes
 */
public record AlgorithmConfig(
    Name name,
    double clipRatio,
    double valueClip,
    double klCoef,
    KlEstimator klEstimator,
    KlPlacement klPlacement,
    boolean adaptiveKl,
    double klTarget,
    double klHorizon,
    double gamma,
    double lambda,
    int epochs,
    int minibatchSize,
    double actorLr,
    double criticLr,
    int criticWarmupIterations,
    int lrWarmupUpdates,
    double entropyCoef,
    boolean whitenAdvantages,
    MacroActions macroActions,
    int macroN,
    int replaySize,
    double gradClip,
    int maxSkippedUpdates,
    int mcRollouts,
    McProbes mcProbes) {

  /** RL algorithms. */
  public enum Name {
    /** PPO with a critic and GAE over dense step rewards. */
    PPO,
    /** Group-relative advantages, no critic (DeepSeekMath); process-GRPO with a PRM. */
    GRPO,
    /** REINFORCE leave-one-out baseline. */
    RLOO,
    /** REINFORCE++: token returns with KL in the reward, whitened globally, no critic. */
    REINFORCE_PP,
    /**
     * Reward-ranked fine-tuning: the likelihood of the accepted responses only (the verifier's, or
     * with a PRM also the leading steps it judges right), no critic, no negative advantage.
     */
    RAFT,
    /**
     * VinePPO (Kazemnejad et al. 2024, arXiv 2410.01679): PPO-clip without a critic, every step's
     * advantage from Monte Carlo values of its prefixes, the prompt's own group valuing the root.
     */
    VINEPPO;

    /** True when the algorithm compares samples within a prompt's group. */
    public boolean usesGroups() {
      return this == GRPO || this == RLOO || this == VINEPPO;
    }
  }

  /** The step prefixes of a sampled response whose value vineppo estimates by rollouts. */
  public enum McProbes {
    /** VinePPO: K continuations from every step prefix, O(K M) rollouts per response. */
    EVERY_STEP,
    /**
     * omega-credit: OmegaPRM's binary search for the first wrong step of a response the verifier
     * rejects, O(K log M) rollouts; none for a response it accepts.
     */
    FIRST_ERROR
  }

  /** Schulman's KL estimators, r = pi_ref / pi. */
  public enum KlEstimator {
    /**
     * -log r = log pi - log pi_ref (Schulman 2020): for the reward only. As a loss term its
     * gradient is grad log pi(a), whose expectation under pi is zero: it pulls nothing back.
     */
    K1,
    /** (log r)^2 / 2: as a loss term its expected gradient is that of KL(pi || pi_ref). */
    K2,
    /**
     * (r - 1) - log r: unbiased, >= 0 ("low_var_kl" in veRL); as a loss term its expected gradient
     * is that of KL(pi_ref || pi).
     */
    K3
  }

  /** Where the KL penalty enters. */
  public enum KlPlacement {
    /** In the reward for ppo and reinforce_pp, in the loss for grpo, rloo, raft and vineppo. */
    AUTO,
    REWARD,
    LOSS
  }

  /** Macro-action segmentation (MA-RLHF, arXiv 2410.02743). */
  public enum MacroActions {
    /** Token-level actions. */
    NONE,
    /** n-grams of macro_n tokens. */
    FIXED,
    /** One macro action per reasoning step. */
    STEP,
    /** A boundary where the reference model's per-token perplexity rises. */
    PPL
  }

  static AlgorithmConfig from(ConfigValues v) {
    return new AlgorithmConfig(
        v.get(AlgorithmOptions.NAME),
        v.get(AlgorithmOptions.CLIP_RATIO),
        v.get(AlgorithmOptions.VALUE_CLIP),
        v.get(AlgorithmOptions.KL_COEF),
        v.get(AlgorithmOptions.KL_ESTIMATOR),
        v.get(AlgorithmOptions.KL_PLACEMENT),
        v.get(AlgorithmOptions.ADAPTIVE_KL),
        v.get(AlgorithmOptions.KL_TARGET),
        v.get(AlgorithmOptions.KL_HORIZON),
        v.get(AlgorithmOptions.GAMMA),
        v.get(AlgorithmOptions.LAMBDA),
        v.get(AlgorithmOptions.EPOCHS),
        v.get(AlgorithmOptions.MINIBATCH_SIZE),
        v.get(AlgorithmOptions.ACTOR_LR),
        v.get(AlgorithmOptions.CRITIC_LR),
        v.get(AlgorithmOptions.CRITIC_WARMUP_ITERATIONS),
        v.get(AlgorithmOptions.LR_WARMUP_UPDATES),
        v.get(AlgorithmOptions.ENTROPY_COEF),
        v.get(AlgorithmOptions.WHITEN_ADVANTAGES),
        v.get(AlgorithmOptions.MACRO_ACTIONS),
        v.get(AlgorithmOptions.MACRO_N),
        v.get(AlgorithmOptions.REPLAY_SIZE),
        v.get(AlgorithmOptions.GRAD_CLIP),
        v.get(AlgorithmOptions.MAX_SKIPPED_UPDATES),
        v.get(AlgorithmOptions.MC_ROLLOUTS),
        v.get(AlgorithmOptions.MC_PROBES));
  }

  /** Where KL goes once {@code auto} is decided by the algorithm. */
  public KlPlacement effectiveKlPlacement() {
    if (klPlacement != KlPlacement.AUTO) {
      return klPlacement;
    }
    // raft's advantages are 0 or 1 whatever the reward holds, and vineppo's come from step values
    // alone: a KL penalty can only act in the loss.
    return name.usesGroups() || name == Name.RAFT ? KlPlacement.LOSS : KlPlacement.REWARD;
  }
}
