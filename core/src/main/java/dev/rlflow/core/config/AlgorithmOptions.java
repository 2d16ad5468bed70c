package dev.rlflow.core.config;

import java.util.List;

/**
 * The keys of the {@code algorithm} section ({@link AlgorithmConfig}): one declaration each, its
 * name, type, default, rule and documentation, in the order the configuration reference lists them.
 */
final class AlgorithmOptions {

  private AlgorithmOptions() {}

  static final ConfigOption<AlgorithmConfig.Name> NAME =
      ConfigOption.of(
          "algorithm.name",
          ValueType.ofEnum(AlgorithmConfig.Name.class),
          AlgorithmConfig.Name.PPO,
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
  static final ConfigOption<AlgorithmConfig.KlEstimator> KL_ESTIMATOR =
      ConfigOption.of(
          "algorithm.kl_estimator",
          ValueType.ofEnum(AlgorithmConfig.KlEstimator.class),
          AlgorithmConfig.KlEstimator.K3,
          Rule.any(),
          "k1, k2 or k3 (Schulman's estimators of KL). k1 only with KL in the reward: as a loss"
              + " term its gradient has zero expectation.");
  static final ConfigOption<AlgorithmConfig.KlPlacement> KL_PLACEMENT =
      ConfigOption.of(
          "algorithm.kl_placement",
          ValueType.ofEnum(AlgorithmConfig.KlPlacement.class),
          AlgorithmConfig.KlPlacement.AUTO,
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
  static final ConfigOption<AlgorithmConfig.MacroActions> MACRO_ACTIONS =
      ConfigOption.of(
          "algorithm.macro_actions",
          ValueType.ofEnum(AlgorithmConfig.MacroActions.class),
          AlgorithmConfig.MacroActions.NONE,
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
  static final ConfigOption<AlgorithmConfig.McProbes> MC_PROBES =
      ConfigOption.of(
          "algorithm.mc_probes",
          ValueType.ofEnum(AlgorithmConfig.McProbes.class),
          AlgorithmConfig.McProbes.EVERY_STEP,
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
}
