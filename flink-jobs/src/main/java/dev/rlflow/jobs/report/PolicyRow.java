package dev.rlflow.jobs.report;

import dev.rlflow.jobs.run.StageName;

/**
 * The rows of the report's reinforcement-learning table: a policy, the evaluation that measured it
 * and the training stage that wrote it.
 */
enum PolicyRow {
  BEFORE_RL("before RL (SFT)", StageName.EVAL, StageName.SFT),
  AFTER_RL("after RL", StageName.EVAL_RL, StageName.RL),
  CONTROL("control: continued SFT for RL's time", StageName.EVAL_CONTROL, StageName.CONTROL);

  final String label;
  final StageName eval;
  final StageName trained;

  PolicyRow(String label, StageName eval, StageName trained) {
    this.label = label;
    this.eval = eval;
    this.trained = trained;
  }
}
