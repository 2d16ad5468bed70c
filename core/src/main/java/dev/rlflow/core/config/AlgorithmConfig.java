package dev.rlflow.core.config;

import java.util.List;

/**
 * The {@code algorithm} section: the RL update (ALGORITHMS.md §3-§5).
 *
 * <p>Long because it holds one declaration per key (name, type, default, rule, doc) for the 26 keys
 * of one concept, and splitting the section would scatter its keys.
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

  static final ConfigOption<Name> NAME =
      ConfigOption.of(
          "algorithm.name",
          ValueType.ofEnum(Name.class),
          Name.PPO,
          Rule.any(),
          "ppo, grpo, rloo, reinforce_pp, raft (reward-ranked fine-tuning on the accepted"
              + " responses) or vineppo (PPO-clip without a critic, step advantages from Monte Carlo"
              + " values of the step prefixes, Kazemnejad et al. 2024).");
  static final ConfigOption<Double> CLIP_RATIO =
      ConfigOption.of(
          "algorithm.clip_ratio",
          ValueType.DOUBLE,
          0.2,
          Rule.between(0.0, 1.0),
          "PPO clip epsilon: the probability ratio is clipped to [1 - eps, 1 + eps].");
  static final ConfigOption<Double> VALUE_CLIP =
      ConfigOption.of(
          "algorithm.value_clip",
          ValueType.DOUBLE,
          0.2,
          Rule.atLeast(0.0),
          "Clip range of the value loss around the old values (ppo).");
  static final ConfigOption<Double> KL_COEF =
      ConfigOption.of(
          "algorithm.kl_coef",
          ValueType.DOUBLE,
          0.05,
          Rule.atLeast(0.0),
          "Weight of the KL penalty to the reference policy (DeepSeekMath uses 0.04 in the"
              + " loss).");
  static final ConfigOption<KlEstimator> KL_ESTIMATOR =
      ConfigOption.of(
          "algorithm.kl_estimator",
          ValueType.ofEnum(KlEstimator.class),
          KlEstimator.K3,
          Rule.any(),
          "k1, k2 or k3 (Schulman's estimators of KL). k1 only with KL in the reward: as a loss"
              + " term its gradient has zero expectation.");
  static final ConfigOption<KlPlacement> KL_PLACEMENT =
      ConfigOption.of(
          "algorithm.kl_placement",
          ValueType.ofEnum(KlPlacement.class),
          KlPlacement.AUTO,
          Rule.any(),
          "auto (reward for ppo and reinforce_pp, loss for grpo, rloo, raft and vineppo), reward"
              + " or loss.");
  static final ConfigOption<Boolean> ADAPTIVE_KL =
      ConfigOption.of(
          "algorithm.adaptive_kl",
          ValueType.BOOLEAN,
          false,
          Rule.any(),
          "Adapt kl_coef toward kl_target instead of keeping it fixed.");
  static final ConfigOption<Double> KL_TARGET =
      ConfigOption.of(
          "algorithm.kl_target",
          ValueType.DOUBLE,
          6.0,
          Rule.above(0.0),
          "Target KL per response for the adaptive controller.");
  static final ConfigOption<Double> KL_HORIZON =
      ConfigOption.of(
          "algorithm.kl_horizon",
          ValueType.DOUBLE,
          10_000.0,
          Rule.above(0.0),
          "Responses over which the adaptive controller's clipped error e (|e| <= 0.2) moves"
              + " kl_coef by a factor of about 1 + e (Ziegler et al. 2019).");
  static final ConfigOption<Double> GAMMA =
      ConfigOption.of(
          "algorithm.gamma",
          ValueType.DOUBLE,
          1.0,
          Rule.between(0.0, 1.0),
          "GAE discount. 1: a response's reward is not worth less for coming at its end.");
  static final ConfigOption<Double> LAMBDA =
      ConfigOption.of(
          "algorithm.lambda",
          ValueType.DOUBLE,
          1.0,
          Rule.between(0.0, 1.0),
          "GAE lambda. 1 (veRL, OpenRLHF for LMs): with lambda < 1 an early token of a long"
              + " response gets only lambda^T of the outcome (0.95^50 = 8 %).");
  static final ConfigOption<Integer> EPOCHS =
      ConfigOption.of(
          "algorithm.epochs",
          ValueType.INT,
          2,
          Rule.atLeast(1),
          "Passes over one batch of rollouts.");
  static final ConfigOption<Integer> MINIBATCH_SIZE =
      ConfigOption.of(
          "algorithm.minibatch_size",
          ValueType.INT,
          32,
          Rule.atLeast(1),
          "Responses per optimizer step.");
  static final ConfigOption<Double> ACTOR_LR =
      ConfigOption.of(
          "algorithm.actor_lr",
          ValueType.DOUBLE,
          1e-4,
          Rule.above(0.0),
          "Actor (policy) learning rate.");
  static final ConfigOption<Double> CRITIC_LR =
      ConfigOption.of(
          "algorithm.critic_lr",
          ValueType.DOUBLE,
          3e-4,
          Rule.above(0.0),
          "Critic (value head) learning rate (ppo).");
  static final ConfigOption<Integer> CRITIC_WARMUP_ITERATIONS =
      ConfigOption.of(
          "algorithm.critic_warmup_iterations",
          ValueType.INT,
          2,
          Rule.atLeast(0),
          "ppo: first iterations that update the critic alone, the actor waiting for a baseline"
              + " (veRL's critic_warmup). 2: the value head starts at zero, and the first two"
              + " batches (16 critic updates at the defaults) bring its values to the returns'"
              + " scale before GAE's advantages steer the actor; each costs one actor iteration.");
  static final ConfigOption<Integer> LR_WARMUP_UPDATES =
      ConfigOption.of(
          "algorithm.lr_warmup_updates",
          ValueType.INT,
          16,
          Rule.atLeast(0),
          "Actor updates over which its learning rate rises linearly to actor_lr (ALGORITHMS.md"
              + " §4): Adam's first steps, on a second moment not yet estimated, move every weight"
              + " by the full rate. 16: the first two iterations at the defaults (8 updates each),"
              + " about OpenRLHF's 3 % of a 50-iteration run. 0: none.");
  static final ConfigOption<Double> ENTROPY_COEF =
      ConfigOption.of(
          "algorithm.entropy_coef",
          ValueType.DOUBLE,
          0.0,
          Rule.atLeast(0.0),
          "Weight of the entropy bonus.");
  static final ConfigOption<Boolean> WHITEN_ADVANTAGES =
      ConfigOption.of(
          "algorithm.whiten_advantages",
          ValueType.BOOLEAN,
          true,
          Rule.any(),
          "Normalise advantages to zero mean and unit variance over the batch.");
  static final ConfigOption<MacroActions> MACRO_ACTIONS =
      ConfigOption.of(
          "algorithm.macro_actions",
          ValueType.ofEnum(MacroActions.class),
          MacroActions.NONE,
          Rule.any(),
          "Macro-action segmentation (MA-RLHF): none, fixed, step or ppl.");
  static final ConfigOption<Integer> MACRO_N =
      ConfigOption.of(
          "algorithm.macro_n",
          ValueType.INT,
          5,
          Rule.atLeast(1),
          "Tokens per macro action when macro_actions is fixed.");
  static final ConfigOption<Integer> REPLAY_SIZE =
      ConfigOption.of(
          "algorithm.replay_size",
          ValueType.INT,
          0,
          Rule.atLeast(0),
          "raft only: accepted responses of earlier iterations kept (the newest); each minibatch of"
              + " this iteration's accepted responses is joined by as many drawn from them, as"
              + " ReST grows its dataset. 0: none.");
  static final ConfigOption<Double> GRAD_CLIP =
      ConfigOption.of(
          "algorithm.grad_clip",
          ValueType.DOUBLE,
          1.0,
          Rule.above(0.0),
          "Clip the global gradient norm of each actor and critic update to this value.");
  static final ConfigOption<Integer> MAX_SKIPPED_UPDATES =
      ConfigOption.of(
          "algorithm.max_skipped_updates",
          ValueType.INT,
          3,
          Rule.atLeast(1),
          "Consecutive actor (or critic) updates with a non-finite loss or gradient that are"
              + " skipped before the run fails with TrainingDivergedException.");

  static final ConfigOption<Integer> MC_ROLLOUTS =
      ConfigOption.of(
          "algorithm.mc_rollouts",
          ValueType.INT,
          4,
          Rule.atLeast(1),
          "vineppo only: K, the continuations sampled from each probed step prefix; the share the"
              + " verifier accepts is the prefix's value. VinePPO uses 4 to 9; 4 keeps an iteration"
              + " affordable on a few CPU cores.");
  static final ConfigOption<McProbes> MC_PROBES =
      ConfigOption.of(
          "algorithm.mc_probes",
          ValueType.ofEnum(McProbes.class),
          McProbes.EVERY_STEP,
          Rule.any(),
          "vineppo only: every_step (VinePPO: K continuations from every step prefix) or"
              + " first_error (omega-credit: OmegaPRM's binary search for the first wrong step of a"
              + " rejected response, K log M rollouts instead of K M; none for an accepted one).");

  static final List<ConfigOption<?>> OPTIONS =
      List.of(
          NAME,
          CLIP_RATIO,
          VALUE_CLIP,
          KL_COEF,
          KL_ESTIMATOR,
          KL_PLACEMENT,
          ADAPTIVE_KL,
          KL_TARGET,
          KL_HORIZON,
          GAMMA,
          LAMBDA,
          EPOCHS,
          MINIBATCH_SIZE,
          ACTOR_LR,
          CRITIC_LR,
          CRITIC_WARMUP_ITERATIONS,
          LR_WARMUP_UPDATES,
          ENTROPY_COEF,
          WHITEN_ADVANTAGES,
          MACRO_ACTIONS,
          MACRO_N,
          REPLAY_SIZE,
          GRAD_CLIP,
          MAX_SKIPPED_UPDATES,
          MC_ROLLOUTS,
          MC_PROBES);

  static AlgorithmConfig from(ConfigValues v) {
    return new AlgorithmConfig(
        v.get(NAME),
        v.get(CLIP_RATIO),
        v.get(VALUE_CLIP),
        v.get(KL_COEF),
        v.get(KL_ESTIMATOR),
        v.get(KL_PLACEMENT),
        v.get(ADAPTIVE_KL),
        v.get(KL_TARGET),
        v.get(KL_HORIZON),
        v.get(GAMMA),
        v.get(LAMBDA),
        v.get(EPOCHS),
        v.get(MINIBATCH_SIZE),
        v.get(ACTOR_LR),
        v.get(CRITIC_LR),
        v.get(CRITIC_WARMUP_ITERATIONS),
        v.get(LR_WARMUP_UPDATES),
        v.get(ENTROPY_COEF),
        v.get(WHITEN_ADVANTAGES),
        v.get(MACRO_ACTIONS),
        v.get(MACRO_N),
        v.get(REPLAY_SIZE),
        v.get(GRAD_CLIP),
        v.get(MAX_SKIPPED_UPDATES),
        v.get(MC_ROLLOUTS),
        v.get(MC_PROBES));
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
